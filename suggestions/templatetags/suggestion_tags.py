from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .. import formats, statistics
from ..models import Suggestion

register = template.Library()

S = Suggestion.State
STATE_COLOURS = {
    S.REGISTERED: "secondary",
    S.ASSIGNED: "info",
    S.IN_HANDLING: "primary",
    S.REPLIED: "warning",
    S.REHANDLING: "danger",
    S.CLOSED: "success",
    S.NOT_GOVERNMENT: "dark",
    S.WITHDRAWN: "light",
}


@register.simple_tag
def state_badge(suggestion):
    colour = STATE_COLOURS.get(suggestion.state, "secondary")
    badge = format_html('<span class="badge text-bg-{}">{}</span>', colour, suggestion.get_state_display())
    if suggestion.is_overdue():
        badge += mark_safe(' <span class="badge text-bg-danger">超期</span>')
    return badge


@register.simple_tag
def deadline_cell(suggestion):
    if suggestion.deadline is None:
        return "—"
    text = formats.date_cn(suggestion.deadline)
    if suggestion.is_overdue():
        text = format_html('<span class="overdue">{}</span>', text)
    if suggestion.deadline_estimated and suggestion.state in Suggestion.HANDLING_STATES:
        return format_html("{} {}", text, ESTIMATED)
    return text


ESTIMATED = mark_safe(
    '<span class="badge text-bg-warning estimated" title="期限跨入节假日安排尚未公布的年份，按周末休息估算；'
    '录入该年的节假日安排后自动重新计算">估算</span>'
)


@register.simple_tag
def estimated_badge(assignment):
    """「估算」 beside an open part's deadline that runs into a year without a holiday schedule."""
    if assignment.deadline_estimated and assignment.is_open:
        return ESTIMATED
    return ""


@register.simple_tag
def days_left(assignment):
    if not assignment.is_open:
        return ""
    days = (assignment.deadline - timezone.localdate()).days
    if days < 0:
        return format_html('<span class="overdue">超期{}天</span>', -days)
    if days == 0:
        return mark_safe('<span class="overdue">今天到期</span>')
    if days <= 7:
        return format_html('<span class="text-warning-emphasis fw-semibold">{}天</span>', days)
    return f"{days}天"


@register.simple_tag
def figure_label(key):
    """What a figure of ``statistics.summary`` is called, saying what it counts (``statistics.LABELS``)."""
    return statistics.LABELS[key]


@register.filter
def percent(value):
    """95.2%, 100.0%; "—" when there is nothing to divide by."""
    return formats.percent(value)


@register.simple_tag(takes_context=True)
def sort_header(context, field, label):
    """A column title that sorts the list by ``field``, and reverses on a second click; the filters stay."""
    if not context.get("sortable"):
        return label
    current = context.get("ordering", "")
    target = f"-{field}" if current == field else field
    arrow = " ▲" if current == field else " ▼" if current == f"-{field}" else ""
    query = context.get("query", "")
    href = f"?{query}&ordering={target}" if query else f"?ordering={target}"
    return format_html('<a class="link-dark text-decoration-none" href="{}">{}{}</a>', href, label, arrow)
