"""历史导入 in the browser: a past session's 汇总表, upload -> preview (every row, its problems and what will be
created) -> confirm, with the import's machinery (``views.imports``: the rows kept as JSON under
the default storage (``imports.pending``) by a token only this user's session knows; a long file written by a background job)."""

import secrets
from pathlib import Path
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from .. import jobs, selectors
from ..forms import style
from ..imports import history, sessions
from ..imports import pending as pending_rows
from ..imports.problems import ImportFailed, ImportFileError
from ..models import Job
from .imports import TOKEN, _remove_stale_files, mark_similar

SESSION_KEY = "history_import"


class HistoryUploadForm(forms.Form):
    session_name = forms.CharField(
        label="届次会议",
        max_length=100,
        help_text="如 第八届人民代表大会第三次会议、市八届人大三次会议；没有的届次会议导入时新建。",
    )
    year = forms.IntegerField(
        label="年度",
        required=False,
        min_value=1950,
        max_value=2100,
        help_text="新建届次会议且无法从名称或文件看出时填写",
    )
    file = forms.FileField(
        label="建议办理情况汇总表（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None or not data.get("session_name"):
            return data
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(f"文件不能超过{settings.UPLOAD_MAX_BYTES / (1024 * 1024):g} MB。")
        try:
            self.plan = history.parse_history(upload)
            self.session, _created = sessions.find_or_new_session(
                data["session_name"], year=data.get("year"), file_year=history.file_year(self.plan)
            )
        except ImportFileError as error:
            raise forms.ValidationError(str(error.problem)) from error
        return data


def _pending(request):
    """(token, session name, its year, filename) of this user's previewed file, or None; the token keys its rows."""
    pending = request.session.get(SESSION_KEY) or {}
    token = pending.get("token", "")
    if not TOKEN.fullmatch(token) or not pending_rows.exists(token):
        return None
    return token, pending.get("name", ""), pending.get("year"), pending.get("filename", "")


def _forget(request):
    pending = _pending(request)
    if pending:
        pending_rows.discard(pending[0])
    request.session.pop(SESSION_KEY, None)


def _plan(token, name, year):
    session, created = sessions.find_or_new_session(name, year=year)
    plan = history.HistoryPlan.from_json(pending_rows.read(token), session=session)
    return history.checked_history(plan, session=session, created=created)


@permission_required("suggestions.import", raise_exception=True)
def upload(request):
    form = HistoryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _forget(request)
        _remove_stale_files()
        token = secrets.token_urlsafe(24)
        pending_rows.save(token, form.plan.to_json())
        request.session[SESSION_KEY] = {
            "token": token,
            "name": form.session.name,
            "year": form.session.year,
            "filename": Path(form.cleaned_data["file"].name).name[:200],
        }
        return redirect("suggestions:history_preview")
    style(form)
    return render(
        request,
        "suggestions/history_upload.html",
        {"form": form, "max_mb": f"{settings.UPLOAD_MAX_BYTES / (1024 * 1024):g}"},
        status=400 if form.errors else 200,
    )


@require_safe
@permission_required("suggestions.import", raise_exception=True)
def preview(request):
    pending = _pending(request)
    if pending is None:
        messages.warning(request, "没有待导入的文件，请先上传汇总表。")
        return redirect("suggestions:history_upload")
    token, name, year, filename = pending
    plan = _plan(token, name, year)
    request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "rows": len(plan.rows) if plan.ok else 0}
    return _render_preview(request, plan, token, filename)


def _render_preview(request, plan, token, filename, status=200):
    mark_similar(request, plan)
    return render(
        request,
        "suggestions/history_preview.html",
        {
            "plan": plan,
            "token": token,
            "filename": filename,
            "created": [(obj._meta.verbose_name, obj.name) for obj in plan.directory.created()],
            "similar_rows": selectors.PREVIEW_SIMILAR_ROWS,
        },
        status=status,
    )


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
        return redirect("suggestions:history_upload" if pending is None else "suggestions:history_preview")
    token, name, year, filename = pending
    rows = (request.session.get(SESSION_KEY) or {}).get("rows") or 0
    if rows and not jobs.is_small(rows):
        job = jobs.start(
            owner=request.user,
            kind=Job.Kind.HISTORY,
            title=f"导入往届建议{filename}（{name}）",
            parameters={"token": token, "name": name, "year": year, "filename": filename},
            total=rows,
        )
        request.session.pop(SESSION_KEY, None)
        return redirect("suggestions:job", pk=job.pk)
    plan = _plan(token, name, year)
    try:
        result = history.run_history_import(plan, user=request.user, source=filename)
    except ImportFailed as failure:
        if not plan.errors:
            plan.problems.extend(failure.problems)
        messages.error(request, "导入未完成，没有写入任何数据。请修改后重新上传。")
        return _render_preview(request, plan, token, filename, status=400)
    _forget(request)
    text = f"已导入{len(result.written)}件往届建议到{result.session.name}"
    if result.session_created:
        text += "（新建的届次会议）"
    messages.success(request, text + "。")
    return redirect(reverse("suggestions:list") + "?" + urlencode({"session": result.session.pk}))


@require_POST
@permission_required("suggestions.import", raise_exception=True)
def cancel(request):
    _forget(request)
    messages.info(request, "已取消导入，上传的文件已删除。")
    return redirect("suggestions:history_upload")
