"""相关建议: groups of suggestions about one matter, across sessions and deputies, to mark related or 并案.

The groups come from the similar-suggestion index (``search.clusters``: BM25 over title and content, so two
suggestions about one matter are found with different titles); only the chosen session's suggestions ask it.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import search
from ..models import CongressSession, Suggestion
from ..workflow.merging import MERGEABLE


@dataclass
class Cluster:
    suggestions: list  # oldest first
    deputies: int
    sessions: int
    mergeable: list  # of the chosen session, may still be merged: the first is proposed as the main one

    @property
    def anchor(self):
        """The latest one: 「标记相关」 links the others to it."""
        return self.suggestions[-1]


def _cluster(group, session):
    group = sorted(group, key=lambda s: (s.session.year, s.session.meeting, s.number))
    deputies = {d.pk for s in group for d in (s.lead_deputy, *s.joint_deputies.all())}
    mergeable = [
        s
        for s in group
        if session is not None
        and s.session_id == session.pk
        and s.state in MERGEABLE
        and not s.merged_into_id
        and not s.merged.all()
    ]
    return Cluster(group, len(deputies), len({s.session_id for s in group}), mergeable)


@require_safe
@permission_required("suggestions.relate", raise_exception=True)
def similar_clusters(request):
    """The groups with a suggestion of the chosen session (the current one unless another is asked)."""
    sessions = list(CongressSession.objects.order_by("-year", "-meeting"))
    chosen = request.GET.get("session", "")
    session = next((s for s in sessions if str(s.pk) == chosen), None)
    if session is None and chosen != "all":
        session = next((s for s in sessions if s.is_current), sessions[0] if sessions else None)
    allowed = Suggestion.objects.visible_to(request.user).exclude(state=Suggestion.State.WITHDRAWN)
    queries = allowed if session is None else allowed.filter(session=session)
    groups = search.clusters(queries, allowed)
    found = (
        Suggestion.objects.filter(pk__in=[pk for g in groups for pk in g])
        .select_related("session", "lead_deputy")
        .prefetch_related("joint_deputies", "related", "merged")
        .in_bulk()
    )
    groups = [[found[pk] for pk in g] for g in groups]
    clusters = [_cluster(g, session) for g in groups]
    context = {"clusters": clusters, "sessions": sessions, "session": session, "all": chosen == "all"}
    return render(request, "suggestions/similar_clusters.html", context)
