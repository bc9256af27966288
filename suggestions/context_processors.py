from django.utils.functional import SimpleLazyObject

from .models import Notification


def notifications(request):
    """The unread count for the header; counted only when a page shows it (the admin's pages do not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        )
    }
