"""The list of suggestions, and registering or editing one."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from .. import selectors, workflow
from ..forms import SuggestionForm

PAGE_SIZE = 30


def suggestion_list(request):
    filterset = selectors.filtered_suggestions(request.user, request.GET)
    if not filterset.is_valid():
        return render(request, "suggestions/list.html", {"filter": filterset, "page": None}, status=400)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ordering = query.pop("ordering", [""])[-1]
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "ordering": ordering,
        "filter_query": filterset.data.urlencode(),  # the export reads exactly the rows on screen
    }
    return render(request, "suggestions/list.html", context)


@permission_required("suggestions.register", raise_exception=True)
def register(request):
    form = SuggestionForm(request.POST or None, initial={"session": selectors.current_session()})
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
