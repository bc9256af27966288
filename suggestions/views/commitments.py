"""落实跟踪: the open commitments of accepted replies, by unit, each with its age (days past its target) and
its latest progress, so the office chases what was promised after the suggestions were closed."""

from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import commitments
from ..models import CommitmentFollowUp, Suggestion


@require_safe
@permission_required("suggestions.view_statistics", raise_exception=True)
def commitment_list(request):
    today = timezone.localdate()
    visible = Suggestion.objects.visible_to(request.user)
    found = (
        commitments.open_commitments(today=today)
        .filter(reply__assignment__suggestion__in=visible)
        .prefetch_related(
            "milestones",
            Prefetch("follow_ups", queryset=CommitmentFollowUp.objects.order_by("-followed_on", "-id")),
        )
    )
    rows = [
        {
            "commitment": c,
            "unit": c.reply.assignment.unit,
            "suggestion": c.reply.assignment.suggestion,
            "days_past": c.days_past(today),
            "latest": next(iter(c.follow_ups.all()), None),
        }
        for c in found
    ]
    context = {
        "rows": rows,
        "today": today,
        "past_due": sum(1 for r in rows if r["days_past"]),
    }
    return render(request, "suggestions/commitments.html", context)
