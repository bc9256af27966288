"""The dashboard: a session at a glance, charts with their numbers in tables, each bar a link to the list.

Every link opens the list of what its figure counts (``?session=<id>`` or ``?session=all``): a category's,
a unit's (as lead) and a portfolio's figures count government-handled suggestions, so their links add
``state=government``."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from .. import rules, selectors, statistics, tallies
from ..db_routers import replica_reads
from ..filters import ALL_SESSIONS
from ..models import CongressSession, Suggestion

GOVERNMENT = "government"  # the list's state filter for government-handled suggestions


def _list_url(**params):
    return f"{reverse('suggestions:list')}?{urlencode({k: v for k, v in params.items() if v is not None})}"


def _funnel(n):
    """How many government-handled suggestions reached each stage of handling (a suggestion being re-handled
    has been replied once); ``n`` counts suggestions by state."""
    S = Suggestion.State
    closed = n[S.CLOSED]
    replied = closed + n[S.REPLIED] + n[S.REHANDLING]
    handled = replied + n[S.IN_HANDLING]
    assigned = handled + n[S.ASSIGNED]
    return [
        {"name": "登记", "value": assigned + n[S.REGISTERED]},
        {"name": "交办", "value": assigned},
        {"name": "签收办理", "value": handled},
        {"name": "答复", "value": replied},
        {"name": "办结", "value": closed},
    ]


@require_safe
@permission_required("suggestions.view_statistics", raise_exception=True)
@replica_reads()
def dashboard(request):
    sessions = list(CongressSession.objects.all())
    chosen = request.GET.get("session") or ""
    session = next((s for s in sessions if str(s.pk) == chosen), None)
    if session is None and chosen != ALL_SESSIONS:
        session = selectors.current_session()
    session_param = session.pk if session else ALL_SESSIONS

    # every session's tallies: the chart of rates over the sessions reads them all (kept, never stale)
    kept = tallies.figures_for(request.user, sessions)
    figures = kept.summary(session)
    units = [
        {**row, "url": _list_url(session=session_param, state=GOVERNMENT, lead_unit=row["unit_id"])}
        for row in kept.by_unit(session)
    ]
    portfolios = [
        {**row, "url": _list_url(session=session_param, state=GOVERNMENT, leader=row["leader_id"])}
        if row["leader_id"]
        else row
        for row in kept.by_portfolio(session)
    ]
    chart = {
        "category": [
            {
                "name": row["name"],
                "value": row["count"],
                "url": _list_url(session=session_param, state=GOVERNMENT, category=row["category_id"]),
            }
            for row in figures["by_category"]
        ],
        "units": units[:20],
        "states": [
            {
                "name": state.label,
                "value": figures["by_state"][state],
                "url": _list_url(session=session_param, state=state.value),
            }
            for state in Suggestion.State
            if figures["by_state"][state]
        ],
        "funnel": _funnel(figures["by_state"]),
        "classes": [
            {
                "name": code,
                "label": label,
                "value": figures["by_result_class"][code],
                "url": _list_url(session=session_param, result_class=code),
            }
            for code, label in rules.result_class_choices()
        ],
        "sessions": kept.by_session(),
        "session_rates": [
            {"key": key, "name": statistics.LABELS[key]}
            for key in ("completion_rate", "satisfaction_rate", "first_satisfaction_rate")
        ],
    }
    context = {
        "sessions": sessions,
        "session": session,
        "session_param": session_param,
        "figures": figures,
        "units": units,
        "portfolios": portfolios,
        "chart": chart,
        "scope_label": "分管领域" if request.user.is_leader else "",
    }
    return render(request, "suggestions/dashboard.html", context)
