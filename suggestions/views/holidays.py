"""节假日安排: the office's page of the entered holiday schedules, per year; entering a year's (a file, or rows
typed in) and deleting one. Saving counts the open deadlines again (``suggestions.holidays``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .. import access, deadlines, holidays

# CSV rows as typed into the page (raw strings: the commas are the file's, not text a user reads)
EXAMPLE = "\n".join([r"日期,类型,名称", r"2027-01-01,休息日,元旦", r"2027-02-06~2027-02-12,休息日,春节"])


def _office_only(request):
    if not access.may(request.user, "holidays"):
        raise PermissionDenied


def _page(request, *, status=200, errors=(), year=None, text=""):
    this_year = timezone.localdate().year
    context = {
        "years": holidays.years(),
        "errors": errors,
        "year": year or this_year + 1,
        "text": text,
        "example": EXAMPLE,
        "estimated": holidays.open_estimated().count(),
        "unknown_years": [y for y in range(this_year, this_year + 3) if not deadlines.has_schedule(y)],
    }
    return render(request, "suggestions/holidays.html", context, status=status)


@require_safe
def holiday_list(request):
    _office_only(request)
    return _page(request)


@require_POST
def holiday_save(request):
    _office_only(request)
    text = request.POST.get("text", "")
    try:
        year = int(request.POST.get("year", ""))
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        return _page(request, status=400, errors=["请填写年份，如2027。"], text=text)
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            days = holidays.parse(holidays.decode(upload.read()), year, filename=upload.name)
        elif text.strip():
            days = holidays.parse(text, year)
        else:
            raise holidays.HolidayFileError(["请选择节假日安排文件，或在下方逐行填写。"])
    except holidays.HolidayFileError as exc:
        return _page(request, status=400, errors=exc.messages, year=year, text=text)
    saved = holidays.save_year(year, days, user=request.user)
    messages.success(
        request,
        f"已录入{year}年的节假日安排（{saved.days}天）；重新计算期限：调整{len(saved.events)}件，"
        f"期限不变{saved.cleared}件。",
    )
    return redirect("suggestions:holidays")


@require_POST
def holiday_delete(request, year):
    _office_only(request)
    saved = holidays.delete_year(year)
    if not saved.days:
        messages.info(request, f"尚未录入{year}年的节假日安排。")
    else:
        messages.success(
            request,
            f"已删除{year}年的节假日安排（{saved.days}天）；重新计算期限：调整{len(saved.events)}件。",
        )
    return redirect("suggestions:holidays")
