"""Each role lands on its own home: a to-do list first, then the figures."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.roles import Role

from .. import selectors, tallies
from ..models import Delivery, HandlingUnit


@require_safe
def home(request):
    user = request.user
    session = selectors.current_session()
    context = {"session": session}
    # the current session's figures, from its kept tallies (``tallies``): read once, for the cards that show them
    shows_figures = user.role == Role.CONGRESS or user.has_perm("suggestions.view_statistics")
    kept = tallies.figures_for(user, [session]) if session is not None and shows_figures else None
    if user.role == Role.OFFICE or user.is_superuser:
        context["todo"] = selectors.office_todo(user)
        context["notice_units"] = HandlingUnit.objects.filter(is_active=True)
        context["failed_deliveries"] = Delivery.objects.filter(state=Delivery.State.FAILED).count()
        template = "suggestions/home_office.html"
    elif user.is_unit_member:
        context["todo"] = selectors.unit_todo(user)
        template = "suggestions/home_unit.html"
    elif user.role == Role.DEPUTY:
        context["todo"] = selectors.deputy_todo(user)
        template = "suggestions/home_deputy.html"
    elif user.role == Role.LEADER:
        context["todo"] = selectors.leader_todo(user, session=session)
        template = "suggestions/home_leader.html"
    elif user.role == Role.CONGRESS:
        context["todo"] = selectors.congress_todo(user, session=session)
        if session is not None:
            context["unit_table"] = kept.unit_handling(session)
        template = "suggestions/home_congress.html"
    else:  # an account nobody has given a role yet: it may do nothing, and says whom to ask
        template = "suggestions/home_no_role.html"
    if session is not None and user.has_perm("suggestions.view_statistics"):
        context["figures"] = kept.summary(session)
    return render(request, template, context)
