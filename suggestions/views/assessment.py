"""承办单位考核: the units of a session ranked by their assessment score, each score explained by its items."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import assessment, selectors
from ..filters import ALL_SESSIONS
from ..models import CongressSession, Suggestion


@require_safe
@permission_required("suggestions.view_statistics", raise_exception=True)
def unit_assessment(request):
    sessions = list(CongressSession.objects.all())
    chosen = request.GET.get("session") or ""
    session = next((s for s in sessions if str(s.pk) == chosen), None)
    if session is None and chosen != ALL_SESSIONS:
        session = selectors.current_session()
    visible = Suggestion.objects.visible_to(request.user)
    scope = visible.filter(session=session) if session else visible
    context = {
        "sessions": sessions,
        "session": session,
        "session_param": session.pk if session else ALL_SESSIONS,
        "scores": assessment.unit_scores(scope),
        "items": [
            {"key": key, "name": name, "note": note, "weight": weight}
            for (key, (name, note)), weight in zip(
                assessment.ITEMS.items(), assessment.weights().values(), strict=True
            )
        ],
        "scope_label": "分管领域" if request.user.is_leader else "",
    }
    return render(request, "suggestions/assessment.html", context)
