"""Small helpers the forms call while a person types."""

import datetime

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from .. import deadlines


@permission_required("suggestions.assign", raise_exception=True)
def deadline_preview(request):
    """The deadline an assignment would get, and which holidays it skipped."""
    try:
        assigned_on = datetime.date.fromisoformat(request.GET.get("assigned_on", ""))
        months = int(request.GET.get("months", 3))
    except ValueError:
        return render(request, "suggestions/_deadline_preview.html", {"error": "请填写正确的交办日期。"})
    months = min(max(months, 1), deadlines.rule("max_handling_months"))
    context = {
        "deadline": deadlines.months_deadline(assigned_on, months),
        "opinion": deadlines.opinion_deadline(assigned_on),
        "window": deadlines.reassignment_window(assigned_on),
        "months": months,
    }
    return render(request, "suggestions/_deadline_preview.html", context)
