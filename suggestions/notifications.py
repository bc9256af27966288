"""Who hears of an event, and how: an in-app notification, and an email when the person has an address."""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role

log = logging.getLogger(__name__)

# Ids per UPDATE when marking notifications emailed (SQLite allows 32,766 parameters per statement).
EMAIL_UPDATE_BATCH = 10_000


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


def notify(event, users, *, text=None, kind=None, suggestion=None):
    """Notify ``users`` of ``event``; without an event (an automatic reminder) pass ``text`` and ``suggestion``."""
    from .models import Notification

    if event is not None:
        suggestion = event.suggestion
    if text is None:
        if event is None:
            raise ValueError("notify() needs text= when there is no event.")
        text = f"{suggestion.number_label}《{suggestion.title}》: {event.label}"
    # Dated like the event, so an action recorded after the fact (an import, the demo) does not look new.
    when = event.created_at if event is not None else timezone.now()
    notes = [
        Notification(
            recipient=user,
            suggestion=suggestion,
            event=event,
            kind=kind or (event.action if event else ""),
            text=text,
            created_at=when,
        )
        for user in users
    ]
    return deliver(notes)


def deliver(notes):
    """Save unsaved ``Notification`` objects (any mix of texts and suggestions) in one query, then email."""
    notes = create_notifications(notes)
    email_notifications(notes)
    return notes


def create_notifications(notes):
    from .models import Notification

    for n in notes:
        n.text = n.text[:300]
    return Notification.objects.bulk_create(notes)


def email_notifications(notes):
    """Email the saved notifications whose recipient has an address; returns how many were emailed."""
    from .models import Notification

    emailed = [n for n in notes if n.recipient.email]
    if not emailed:
        return 0
    messages = [
        (f"[建议办理] {n.text}", _email_body(n), settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
        for n in emailed
    ]
    try:
        send_mass_mail(messages, fail_silently=False)
    except OSError:
        log.exception("notification email failed")
        return 0
    now = timezone.now()
    ids = [n.pk for n in emailed]
    for start in range(0, len(ids), EMAIL_UPDATE_BATCH):
        Notification.objects.filter(pk__in=ids[start : start + EMAIL_UPDATE_BATCH]).update(emailed_at=now)
    for n in emailed:
        n.emailed_at = now
    return len(emailed)


def _email_body(notification):
    lines = [f"{notification.recipient.display_name}:", "", notification.text]
    if notification.event and notification.event.note:
        lines += ["", notification.event.note]
    lines += ["", "请登录建议办理系统查看。"]
    return "\n".join(lines)
