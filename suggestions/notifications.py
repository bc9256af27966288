"""Who hears of an event, and how: an in-app notification, and an email when the person has an address."""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role

log = logging.getLogger(__name__)


class Recipients:
    """Collects the people an action concerns, as database conditions resolved once."""

    def __init__(self):
        self.conditions = []

    def office(self):
        self.conditions.append(Q(role=Role.OFFICE))

    def units(self, *units):
        ids = [u.pk for u in units if u is not None]
        if ids:
            self.conditions.append(Q(role__in=[Role.UNIT_STAFF, Role.UNIT_HEAD], unit_id__in=ids))

    def unit_heads(self, unit):
        self.conditions.append(Q(role=Role.UNIT_HEAD, unit_id=unit.pk))

    def deputies(self, suggestion):
        ids = [d.pk for d in suggestion.deputies]
        self.conditions.append(Q(role=Role.DEPUTY, deputy_id__in=ids))

    def leaders(self, *leaders):
        ids = [leader.pk for leader in leaders if leader is not None]
        if ids:
            self.conditions.append(Q(role=Role.LEADER, leader_id__in=ids))

    def resolve(self, exclude=None):
        if not self.conditions:
            return []
        condition = self.conditions[0]
        for c in self.conditions[1:]:
            condition |= c
        users = User.objects.filter(condition, is_active=True)
        if exclude is not None and exclude.pk:
            users = users.exclude(pk=exclude.pk)
        return list(users)


def notify(event, users, *, text=None, kind=None):
    from .models import Notification

    suggestion = event.suggestion if event else None
    text = text or f"{suggestion.number_label}《{suggestion.title}》: {event.label}"
    now = timezone.now()
    notes = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            suggestion=suggestion,
            event=event,
            kind=kind or (event.action if event else ""),
            text=text[:300],
            created_at=now,
        )
        for user in users
    )
    emailed = [n for n in notes if n.recipient.email]
    if emailed:
        messages = [
            (f"[建议办理] {n.text}", _email_body(n), settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
            for n in emailed
        ]
        try:
            send_mass_mail(messages, fail_silently=False)
        except OSError:
            log.exception("notification email failed")
            return notes
        Notification.objects.filter(pk__in=[n.pk for n in emailed]).update(emailed_at=now)
    return notes


def _email_body(notification):
    lines = [f"{notification.recipient.display_name}:", "", notification.text]
    if notification.event and notification.event.note:
        lines += ["", notification.event.note]
    lines += ["", "请登录建议办理系统查看。"]
    return "\n".join(lines)
