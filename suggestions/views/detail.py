"""A suggestion's page, the actions on it, and its reply letters."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from .. import access, reply_letters, search, selectors, workflow
from ..forms import ACTION_FORMS
from ..models import Assignment, Reply, Suggestion


def _action_form(name, assignment, suggestion, user, *data, accepted=None):
    """An action's form; ids carry the action and the unit, so two modals on one page never share an id.
    ``accepted``: the suggestion's accepted replies, when the page holds them (``SuggestionPage.accepted``)."""
    key = f"{name}-{assignment.pk if assignment else 's'}"
    return ACTION_FORMS[name](
        *data,
        suggestion=suggestion,
        assignment=assignment,
        user=user,
        accepted=accepted,
        auto_id=f"id_{key}_%s",
    )


# The step that moves the suggestion forward comes first and stands out; the others are secondary buttons.
FORWARD_ACTIONS = (
    "assign",
    "sign_for",
    "rule_reassignment",
    "rule_extension",
    "send_opinion",
    "draft_reply",
    "sign_reply",
    "submit_reply",
    "review_reply",
    "rate",
    "record_rating",
    "close",
)


# Taken from the page of similar suggestions (相关建议) and beside each related one, not from a button here.
ELSEWHERE = tuple(name for name, action in workflow.ACTIONS.items() if not action.button)


def _back(request, pk):
    """Where an action taken elsewhere returns: the page it was posted from, or the suggestion's page."""
    there = request.POST.get("next", "")
    if there and url_has_allowed_host_and_scheme(
        there, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(there)
    return redirect("suggestions:detail", pk=pk)


def _action_forms(page, failed=None):
    """One (available action, form) pair per button; ``failed`` replaces the form that was just posted."""
    pairs = []
    for available in page.actions:
        if available.name not in ACTION_FORMS:  # "edit" has a page of its own
            continue
        key = (available.name, available.assignment.pk if available.assignment else None)
        if failed and failed[0] == key:
            form = failed[1]
        else:
            form = _action_form(
                available.name, available.assignment, page.suggestion, page.user, accepted=page.accepted
            )
        pairs.append((available, form))
    pairs.sort(key=lambda pair: pair[0].name not in FORWARD_ACTIONS)
    return pairs


def render_detail(request, page, *, failed=None, status=200):
    context = {
        "s": page.suggestion,
        "page": page,
        "actions": _action_forms(page, failed),
        "forward_actions": FORWARD_ACTIONS,
        "can_edit": any(a.name == "edit" for a in page.actions),
        "open_action": failed[0] if failed else None,
        "show_similar": access.may(page.user, "similar"),
    }
    return render(request, "suggestions/detail.html", context, status=status)


@require_safe
def detail(request, pk):
    whole = request.GET.get("timeline") == "all"  # 显示全部办理过程
    return render_detail(request, access.suggestion_page(request.user, pk, whole_timeline=whole))


@require_POST
def act(request, pk, action, assignment_id=None):
    if action not in ACTION_FORMS:
        raise Http404("没有这个操作")
    if not request.user.has_perm(workflow.ACTIONS[action].permission):
        raise PermissionDenied  # the role may never take this action: the 403 page, before any lookup
    # An action on one unit's part needs that assignment in the address; one on the whole suggestion, none.
    if workflow.ACTIONS[action].on_assignment != (assignment_id is not None):
        raise Http404("操作与承办单位不符")
    suggestion = get_object_or_404(Suggestion.objects.visible_to(request.user), pk=pk)
    assignment = None
    if assignment_id is not None:
        assignment = get_object_or_404(
            Assignment.objects.visible_to(request.user).select_related("unit"),
            pk=assignment_id,
            suggestion=suggestion,
        )
    refused = workflow.refusal(workflow.ACTIONS[action], request.user, suggestion, assignment)
    if refused:  # not now (state, unit, rule): say why, whatever the form holds
        messages.error(request, refused)
        return _back(request, pk) if action in ELSEWHERE else redirect("suggestions:detail", pk=pk)
    form = _action_form(action, assignment, suggestion, request.user, request.POST, request.FILES)
    key = (action, assignment_id)
    if action in ELSEWHERE:
        return _act_elsewhere(request, suggestion, action, form)
    if form.is_valid():
        try:
            event = workflow.perform(
                action, user=request.user, suggestion=suggestion, assignment=assignment, **form.action_data()
            )
        except workflow.WorkflowError as error:
            if error.errors and set(error.errors) <= set(form.fields):
                for name, message in error.errors.items():
                    form.add_error(name, message)
            else:
                messages.error(request, error.message)
                return redirect("suggestions:detail", pk=pk)
        else:
            messages.success(request, f"{event.label}：已完成。")
            for warning in event.warnings:
                messages.warning(request, warning)
            return redirect("suggestions:detail", pk=pk)
    page = access.suggestion_page(request.user, pk)
    if action == "draft_reply":  # the reply is written on a page of its own, and corrected there
        return _render_reply_page(request, page, assignment, form)
    return render_detail(request, page, failed=(key, form), status=400)


def _act_elsewhere(request, suggestion, action, form):
    """An action posted from another page: done or refused, the reason is a message there."""
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return _back(request, suggestion.pk)
    try:
        event = workflow.perform(action, user=request.user, suggestion=suggestion, **form.action_data())
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{event.label}：已完成。")
    return _back(request, suggestion.pk)


def reply_form(request, pk, assignment_id):
    """拟写答复 on a page of its own: the suggestion, the co-units' opinions the reply must state and the contacts
    beside the form, so the clerk answers point by point without losing sight of what was asked."""
    page = access.suggestion_page(request.user, pk)
    assignment = get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related("unit", "suggestion"),
        pk=assignment_id,
        suggestion=page.suggestion,
    )
    action = workflow.ACTIONS["draft_reply"]
    refused = workflow.refusal(action, request.user, page.suggestion, assignment)
    if refused:
        messages.error(request, refused)
        return redirect("suggestions:detail", pk=pk)
    form = _action_form(
        action.name,
        assignment,
        page.suggestion,
        request.user,
        *((request.POST, request.FILES) if request.method == "POST" else ()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.perform(
                action.name,
                user=request.user,
                suggestion=page.suggestion,
                assignment=assignment,
                **form.action_data(),
            )
        except workflow.WorkflowError as error:
            for name, message in (error.errors or {None: error.message}).items():
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, f"{action.label}：已完成。答复稿已送单位负责人签发。")
            return redirect("suggestions:detail", pk=pk)
    return _render_reply_page(request, page, assignment, form)


def _render_reply_page(request, page, assignment, form):
    context = {
        "s": page.suggestion,
        "page": page,
        "part": assignment,
        "form": form,
        "co_parts": [a for a in page.parts if _supports(a, assignment)],
        "draft": next(
            (r for r in page.replies if r.assignment_id == assignment.pk and r.state == Reply.State.DRAFT),
            None,
        ),
    }
    return render(request, "suggestions/reply_form.html", context, status=400 if form.errors else 200)


def _supports(co, part):
    """The co-unit's part ``co`` supports ``part``: its 分办 unit, or the lead unit when it names none."""
    if co.role != Assignment.Role.CO or co.round != part.round:
        return False
    return co.supports_id == part.pk or (co.supports_id is None and part.role == Assignment.Role.LEAD)


@require_safe
def reply_attachment(request, pk):
    """The signed reply letter, to those who may see the suggestion."""
    reply = get_object_or_404(Reply.objects.visible_to(request.user), pk=pk)
    if not reply.attachment:
        raise Http404("这份答复没有上传签发件")
    return FileResponse(
        reply.attachment.open("rb"),
        content_type="application/pdf",
        filename=f"{reply.document_number or '答复函'}.pdf",
    )


@require_safe
def reply_letter(request, pk):
    """The 答复函 as a Word file (a draft for the unit before its head signs), to those ``access`` lets download
    it; anyone else gets a 404."""
    replies = Reply.objects.visible_to(request.user).select_related(
        "assignment__unit", "assignment__suggestion__session", "assignment__suggestion__lead_deputy"
    )
    reply = get_object_or_404(replies, pk=pk)
    if not access.may_download_letter(request.user, reply):
        raise Http404("没有这份答复函，或您无权下载。")
    data, name = reply_letters.letter_file(reply)
    response = HttpResponse(data, content_type=reply_letters.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_safe
def similar(request, pk):
    """相似建议: the suggestions most like this one across sessions and deputies (the office and its units)."""
    if not access.may(request.user, "similar"):
        raise PermissionDenied
    s = get_object_or_404(Suggestion.objects.visible_to(request.user), pk=pk)
    rows = selectors.similar_suggestions(user=request.user, text=search.suggestion_text(s), exclude=s.pk)
    return render(request, "suggestions/_similar_suggestions.html", {"rows": rows})
