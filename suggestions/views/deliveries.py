"""消息发送: the office's list of the emails and text messages sent out, and 重试 of the failed ones."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from .. import access, deliveries
from ..models import Delivery

PAGE_SIZE = 50


def _office_only(request):
    if not access.may(request.user, "deliveries"):
        raise PermissionDenied


@require_safe
def delivery_list(request):
    _office_only(request)
    state = request.GET.get("state", "")
    if state not in Delivery.State.values:
        state = ""
    rows = Delivery.objects.select_related("notification__recipient", "notification__suggestion")
    if state:
        rows = rows.filter(state=state)
    counts = dict(Delivery.objects.order_by().values_list("state").annotate(n=Count("pk")))
    context = {
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "state": state,
        "states": [(s, label, counts.get(s, 0)) for s, label in Delivery.State.choices],
        "total": sum(counts.values()),
        "failed": counts.get(Delivery.State.FAILED, 0),
    }
    return render(request, "suggestions/deliveries.html", context)


@require_POST
def delivery_retry(request, pk):
    _office_only(request)
    delivery = get_object_or_404(Delivery, pk=pk)
    if deliveries.retry(Delivery.objects.filter(pk=delivery.pk)):
        messages.success(request, f"已重新发送给{delivery.address}的{delivery.get_channel_display()}。")
    else:
        messages.error(request, "这条消息不是「发送失败」状态，无需重试。")
    return redirect(_back(request))


@require_POST
def delivery_retry_failed(request):
    _office_only(request)
    count = deliveries.retry(Delivery.objects.all())
    if count:
        messages.success(request, f"已重新发送{count}条发送失败的消息。")
    else:
        messages.info(request, "没有发送失败的消息。")
    return redirect(_back(request))


def _back(request):
    """Back to the list as it was filtered."""
    state = request.POST.get("state", "")
    url = reverse("suggestions:deliveries")
    return f"{url}?state={state}" if state in Delivery.State.values else url
