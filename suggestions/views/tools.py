"""Small helpers the forms call while a person types."""

import datetime

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import deadlines, formats, selectors
from ..filters import ON_DEMAND, SuggestionFilter
from ..models import CongressSession, Deputy, Suggestion


@require_safe
@permission_required("suggestions.assign", raise_exception=True)
def deadline_preview(request):
    """The deadline an assignment would get, and which holidays it skipped."""
    try:
        assigned_on = datetime.date.fromisoformat(request.GET.get("assigned_on", ""))
        months = int(request.GET.get("months", 3))
    except ValueError:
        return render(request, "suggestions/_deadline_preview.html", {"error": "请填写正确的交办日期。"})
    months = min(max(months, 1), deadlines.rule("max_handling_months"))
    context = {
        "deadline": deadlines.months_deadline(assigned_on, months),
        "opinion": deadlines.opinion_deadline(assigned_on),
        "window": deadlines.reassignment_window(assigned_on),
        "months": months,
    }
    return render(request, "suggestions/_deadline_preview.html", context)


def _session(request):
    try:
        return CongressSession.objects.filter(pk=int(request.GET.get("session", ""))).first()
    except ValueError:
        return None


@require_safe
@permission_required("suggestions.register", raise_exception=True)
def number_hint(request):
    """Registering: the session's next free number, and whether the number typed is already taken."""
    session = _session(request)
    if session is None:
        return render(request, "suggestions/_number_hint.html", {})
    typed = formats.parse_number(request.GET.get("number", ""))
    taken = Suggestion.objects.filter(session=session, number=typed).only("title").first() if typed else None
    context = {"next": selectors.next_free_number(session), "typed": typed, "taken": taken}
    return render(request, "suggestions/_number_hint.html", context)


@require_safe
@permission_required("suggestions.register", raise_exception=True)
def similar_titles(request):
    """Registering: the lead deputy's suggestions in the session whose title is like the one typed, and the
    suggestions of any session and deputy most like the title and content typed."""
    session = _session(request)
    try:
        deputy = Deputy.objects.filter(pk=int(request.GET.get("lead_deputy", ""))).first()
    except ValueError:
        deputy = None
    title = request.GET.get("title", "")
    rows = []
    if session and deputy:
        rows = selectors.similar_titles(session=session, deputy=deputy, title=title)
    # 相似建议: across all sessions and deputies, by title and content (``search``), the ones above left out
    shown = {s.pk for s, _, _ in rows}
    text = f"{title}\n{title}\n{request.GET.get('content', '')}"
    similar = [
        r for r in selectors.similar_suggestions(user=request.user, text=text) if r.suggestion.pk not in shown
    ]
    context = {"rows": rows, "deputy": deputy, "similar": similar}
    return render(request, "suggestions/_similar_titles.html", context)


FILTER_OPTIONS_LIMIT = 50


@require_safe
@login_required
def filter_options(request, name):
    """The list's 代表 / 主办单位 / 协办单位 filter while a person types: at most ``FILTER_OPTIONS_LIMIT``
    ``{value, text, keywords}`` whose name (a unit's short name too) holds ``q``, in the select's order. Only
    for whoever is offered that filter (``SuggestionFilter.shown_filters``): the office side, never a unit or a
    deputy; the rows are the filter's own choices, reference data with no suggestion in them."""
    if name not in ON_DEMAND:
        raise Http404
    if name not in SuggestionFilter.shown_filters(request.user):
        raise PermissionDenied
    rows = SuggestionFilter.base_filters[name].extra["queryset"]
    q = request.GET.get("q", "").strip()[:50]
    has_short_name = any(f.name == "short_name" for f in rows.model._meta.fields)
    if q:
        rows = rows.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) if has_short_name else Q(name__icontains=q)
        )
    fields = ("pk", "name", "short_name") if has_short_name else ("pk", "name")
    results = [
        {"value": str(row[0]), "text": row[1], "keywords": row[2] if has_short_name else ""}
        for row in rows.values_list(*fields)[:FILTER_OPTIONS_LIMIT]
    ]
    return JsonResponse({"results": results})
