from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..models import Notification


def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user).select_related("suggestion")
    page = Paginator(notes, 30).get_page(request.GET.get("page"))
    return render(request, "suggestions/notifications.html", {"page": page})


@require_POST
def mark_read(request):
    notes = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    if request.POST.get("id"):
        notes = notes.filter(pk=request.POST["id"])
    notes.update(read_at=timezone.now())
    return redirect(request.POST.get("next") or "suggestions:notifications")
