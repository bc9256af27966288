from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from ..models import Notification


@require_safe
def notification_list(request):
    notes = Notification.objects.filter(recipient=request.user).select_related("suggestion")
    page = Paginator(notes, 30).get_page(request.GET.get("page"))
    return render(request, "suggestions/notifications.html", {"page": page})


@require_POST
def mark_read(request):
    """One notification (``id``) or all of this person's: another person's id matches nothing."""
    notes = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    if request.POST.get("id"):
        if not (request.POST["id"].isascii() and request.POST["id"].isdigit()):
            raise Http404("没有这条通知")
        notes = notes.filter(pk=request.POST["id"])
    notes.update(read_at=timezone.now())
    target = request.POST.get("next", "")
    # only back to a path on this site: "0" or "home" would be read as a view's name, "//x" as another host
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("suggestions:notifications")
    return HttpResponseRedirect(target)
