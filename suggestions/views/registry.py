"""The list of suggestions, and registering or editing one."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from .. import selectors, workflow
from ..batch import batch_actions_for
from ..choicelists import ChoiceLists
from ..forms import BatchForm, SuggestionForm
from ..models import Suggestion
from ..paging import DeferredJoinPaginator

PAGE_SIZE = 30


@require_safe
def suggestion_list(request):
    return render_list(request, request.GET)


def render_list(request, params, *, batch_form=None, choice_lists=None, status=200):
    """The list for ``params`` (the filters); the batch view redraws it with its refused form and ticks.
    The filters and the batch bar offer the same units: ``choice_lists`` reads each table once for both."""
    choice_lists = choice_lists or ChoiceLists()
    choice_lists.expect(*(Suggestion._meta.get_field(name).related_model for name in selectors.LIST_SHARED))
    if batch_form is None and batch_actions_for(request.user):
        choice_lists.expect(*BatchForm.CHOICE_MODELS)  # read with the filters' tables
    filterset = selectors.filtered_suggestions(request.user, params, choice_lists=choice_lists)
    if not filterset.is_valid():
        return render(request, "suggestions/list.html", {"filter": filterset, "page": None}, status=400)
    rows = selectors.list_rows(request.user)  # the page's rows by their ids, the filters not repeated
    searching = bool((filterset.form.cleaned_data.get("q") or "").strip())
    paginator = DeferredJoinPaginator(
        filterset.qs,
        PAGE_SIZE,
        rows=lambda ids: rows.filter(pk__in=ids),
        fetched=lambda found: choice_lists.attach(found, selectors.LIST_SHARED),
        count_with_page=searching,
    )
    page = paginator.get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    ordering = query.pop("ordering", [""])[-1]
    if batch_form is None and batch_actions_for(request.user):
        batch_form = BatchForm(
            user=request.user, initial={"query": params.urlencode()}, choice_lists=choice_lists
        )
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "ordering": ordering,
        "filter_query": filterset.data.urlencode(),  # the export reads exactly the rows on screen
        "filtered": any(value for key, value in params.items() if key not in ("page", "ordering")),
        "batch_form": batch_form,
        "ticked": _ticked(batch_form),
    }
    return render(request, "suggestions/list.html", context, status=status)


def _ticked(batch_form):
    """The rows ticked before a refused batch form came back, to tick them again."""
    if batch_form is None or not batch_form.is_bound:
        return set()
    return {int(v) for v in batch_form.data.getlist("ids") if str(v).isdigit()}


@permission_required("suggestions.register", raise_exception=True)
def register(request):
    session = selectors.current_session()
    initial = {"session": session, "number": selectors.next_free_number(session) if session else None}
    form = SuggestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        joint = data.pop("joint_deputies", [])
        try:
            suggestion = workflow.register(user=request.user, joint_deputies=joint, **data)
        except workflow.WorkflowError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已登记{suggestion.number_label}建议。")
            return redirect("suggestions:detail", pk=suggestion.pk)
    return render(
        request,
        "suggestions/form.html",
        {"form": form, "title": "登记建议"},
        status=400 if form.errors else 200,
    )


@permission_required("suggestions.edit", raise_exception=True)
def edit(request, pk):
    suggestion = get_object_or_404(selectors.suggestions_for(request.user), pk=pk)
    if request.method == "GET" and (
        refused := workflow.refusal(workflow.ACTIONS["edit"], request.user, suggestion)
    ):
        messages.error(request, refused)  # say so now, not after the person has typed their changes
        return redirect("suggestions:detail", pk=pk)
    form = SuggestionForm(request.POST or None, instance=suggestion)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            workflow.perform("edit", user=request.user, suggestion=suggestion, **changed)
        except workflow.WorkflowError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "登记信息已修改。")
            return redirect("suggestions:detail", pk=pk)
    suggestion.refresh_from_db()
    return render(
        request,
        "suggestions/form.html",
        {"form": form, "title": f"修改{suggestion.number_label}建议", "s": suggestion},
        status=400 if form.errors else 200,
    )
