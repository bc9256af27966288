"""Importing the congress office's Excel list: upload -> preview (every row and its problems) -> confirm.

The file is parsed once, on upload (``imports.parse_file``); what it holds is kept between the preview and the
confirmation as JSON in the default storage (``imports.pending``: MEDIA_ROOT/imports/ or a bucket), named by a random token that only the user's session knows (the
workbook itself is not kept). The preview and the confirmation check those rows against the database as it is
then (``imports.checked``); confirming imports all rows or none and deletes the file. A list of more than
``settings.JOBS_INSTANT_ROWS`` rows is written by a background job instead (suggestions/jobs.py), whose page shows
the rows done and then lists what it wrote.
"""

import re
import secrets
from pathlib import Path
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from .. import imports, jobs, selectors
from ..forms import style
from ..imports import pending as pending_rows
from ..models import CongressSession, Job

SESSION_KEY = "suggestion_import"
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
STALE_SECONDS = 24 * 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    session = forms.ModelChoiceField(
        label="届次会议", queryset=CongressSession.objects.all(), empty_label=None
    )
    file = forms.FileField(
        label="Excel文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"文件不能超过{limit / (1024 * 1024):g} MB。")
        try:
            self.plan = imports.parse_file(upload)
        except imports.ImportFileError as error:
            raise forms.ValidationError(str(error.problem)) from error
        return upload


def _pending(request):
    """(token, session, filename) of the file this user previewed, or None; the token keys its stored rows."""
    pending = request.session.get(SESSION_KEY) or {}
    token = pending.get("token", "")
    if not TOKEN.fullmatch(token):
        return None
    session = CongressSession.objects.filter(pk=pending.get("session")).first()
    if session is None or not pending_rows.exists(token):
        return None
    return token, session, pending.get("filename", "")


def _forget(request):
    pending = _pending(request)
    if pending:
        pending_rows.discard(pending[0])
    request.session.pop(SESSION_KEY, None)


def _remove_stale_files():
    pending_rows.remove_stale(STALE_SECONDS)


@permission_required("suggestions.import", raise_exception=True)
def upload(request):
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"session": selectors.current_session()}
    )
    if request.method == "POST" and form.is_valid():
        _forget(request)
        _remove_stale_files()
        token = secrets.token_urlsafe(24)
        pending_rows.save(token, form.plan.to_json())
        request.session[SESSION_KEY] = {
            "token": token,
            "session": form.cleaned_data["session"].pk,
            "filename": Path(form.cleaned_data["file"].name).name[:200],
        }
        return redirect("suggestions:import_preview")
    style(form)
    return render(
        request,
        "suggestions/import_upload.html",
        {
            "form": form,
            "max_mb": f"{settings.UPLOAD_MAX_BYTES / (1024 * 1024):g}",
            "columns": imports.COLUMNS,
        },
        status=400 if form.errors else 200,
    )


@require_safe
@permission_required("suggestions.import", raise_exception=True)
def preview(request):
    pending = _pending(request)
    if pending is None:
        messages.warning(request, "没有待导入的文件，请先上传Excel文件。")
        return redirect("suggestions:import_upload")
    token, session, filename = pending
    plan = _plan(token, session)
    # How many rows the confirmed write takes: a long list is written in the background (``_confirm_later``).
    request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "rows": len(plan.rows) if plan.ok else 0}
    return _render_preview(request, plan, token, filename)


def _plan(token, session):
    """The rows read on upload, checked against the database as it is now."""
    plan = imports.ImportPlan.from_json(pending_rows.read(token), session=session)
    return imports.checked(plan, session=session)


def mark_similar(request, plan):
    """反复提、多人提: each row's ``similar``, the suggestion already on record it is most like (the first
    ``PREVIEW_SIMILAR_ROWS`` rows), read while the office previews; the suggestion and history imports alike."""
    like = selectors.similar_for_rows(user=request.user, rows=plan.rows)
    for r in plan.rows:
        r.similar = like.get(r.row)


def _render_preview(request, plan, token, filename, status=200, assign=False):
    mark_similar(request, plan)
    context = {
        "plan": plan,
        "token": token,
        "filename": filename,
        "assign": assign,
        "similar_rows": selectors.PREVIEW_SIMILAR_ROWS,
    }
    return render(request, "suggestions/import_preview.html", context, status=status)


@require_POST
@permission_required("suggestions.import", raise_exception=True)
def confirm(request):
    pending = _pending(request)
    if pending is None or request.POST.get("token") != pending[0]:
        messages.error(
            request,
            "没有找到已预览的导入文件（可能已经导入、已取消或已过期），请重新上传。"
            if pending is None
            else "该预览已过期：之后又上传了新的文件，请核对最新的预览后再确认。",
        )
        return redirect("suggestions:import_upload" if pending is None else "suggestions:import_preview")
    token, session, filename = pending
    assign = request.POST.get("assign") == "1"
    rows = (request.session.get(SESSION_KEY) or {}).get("rows") or 0
    if rows and not jobs.is_small(rows):
        return _confirm_later(request, token, session, filename, assign, rows)
    plan = _plan(token, session)
    try:
        result = imports.run_import(plan, user=request.user, assign=assign)
    except imports.ImportFailed as failure:
        if not plan.errors:  # refused while writing (e.g. a number registered meanwhile): show it on the rows
            plan.problems.extend(failure.problems)
        messages.error(request, "导入未完成，没有写入任何数据。请修改后重新上传。")
        return _render_preview(request, plan, token, filename, status=400, assign=assign)
    _forget(request)
    text = f"已导入{len(result.registered)}件建议"
    if assign:
        text += f"，其中{result.assigned}件已按建议主办、协办单位交办"
    messages.success(request, text + "。")
    return redirect(reverse("suggestions:list") + "?" + urlencode({"session": session.pk}))


def _confirm_later(request, token, session, filename, assign, rows):
    """The write of a long list, as a task with a progress bar: the job's page lists what it wrote. The
    previewed file stays until the task has read it."""
    job = jobs.start(
        owner=request.user,
        kind=Job.Kind.IMPORT,
        title=f"导入{filename or '建议清单'}（{session.name}）",
        parameters={"token": token, "session": session.pk, "assign": assign},
        total=rows,
    )
    request.session.pop(SESSION_KEY, None)
    return redirect("suggestions:job", pk=job.pk)


@require_POST
@permission_required("suggestions.import", raise_exception=True)
def cancel(request):
    _forget(request)
    messages.info(request, "已取消导入，上传的文件已删除。")
    return redirect("suggestions:import_upload")


@require_safe
@permission_required("suggestions.import", raise_exception=True)
def template(request):
    response = HttpResponse(imports.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"import-template.xlsx\"; filename*=UTF-8''{quote('建议导入模板.xlsx')}"
    )
    return response
