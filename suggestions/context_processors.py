from django.utils.functional import SimpleLazyObject

from . import access, rules
from .models import (
    Assignment,
    Delivery,
    HolidayDay,
    Notification,
    RatingLevel,
    Reply,
    Suggestion,
    SupervisionNote,
)


def notifications(request):
    """The unread count for the header; counted only when a page shows it (the admin's pages do not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_count": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        ),
        "may_see_deliveries": access.may(user, "deliveries"),
        "may_enter_holidays": access.may(user, "holidays"),
    }


def choices(request):
    """The states and levels, so templates compare ``r.state == ReplyState.ACCEPTED``, never a bare string."""
    return {
        "SuggestionState": Suggestion.State,
        "AssignmentState": Assignment.State,
        "ReplyState": Reply.State,
        "RatingLevel": RatingLevel,
        "commitment_classes": SimpleLazyObject(rules.commitment_classes_label),
        "SupervisionKind": SupervisionNote.Kind,
        "DeliveryState": Delivery.State,
        "HolidayKind": HolidayDay.Kind,
    }
