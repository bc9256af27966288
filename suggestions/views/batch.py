"""批量办理 from the list: one POST, each ticked suggestion through the workflow on its own."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..batch import BATCH_ACTIONS, batch_actions_for, run_batch
from ..choicelists import ChoiceLists
from ..forms import BatchForm
from .registry import render_list


@require_POST
def batch(request):
    allowed = batch_actions_for(request.user)
    chosen = request.POST.get("action")
    if not allowed or (chosen in BATCH_ACTIONS and BATCH_ACTIONS[chosen] not in allowed):
        raise PermissionDenied  # the role may never take it: the 403 page, before any lookup
    choice_lists = (
        ChoiceLists()
    )  # the units read once for this form and, if it is refused, the list's filters
    form = BatchForm(request.POST, user=request.user, choice_lists=choice_lists)
    params = QueryDict(request.POST.get("query", ""))  # back to the list as it was filtered
    if not form.is_valid():
        return render_list(request, params, batch_form=form, choice_lists=choice_lists, status=400)
    result = run_batch(
        user=request.user,
        name=form.cleaned_data["action"],
        ids=form.cleaned_data["ids"],
        data=form.action_data(),
    )
    getattr(messages, result.level)(request, result.message)
    query = params.urlencode()
    return redirect(reverse("suggestions:list") + (f"?{query}" if query else ""))
