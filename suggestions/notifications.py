"""Who hears of an event, and how: an in-app notification, and an email or a text message when the person has
an address or a mobile number (``suggestions.deliveries`` sends those in the background)."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.roles import UNIT_ROLES, Role

from . import deliveries


@dataclass(frozen=True)
class Addressee:
    """One person told of an event, with the sentence written for them and the link's words."""

    user: object
    text: str = ""
    call: str = ""
    link: bool = True  # False: the notification does not point to a suggestion the person may no longer open


class Recipients:
    """Collects the people an action concerns, as database conditions resolved once; each group may carry its
    own sentence (「您的建议已答复，请评价。」) and what its link says (「去评价」)."""

    def __init__(self):
        self.groups = []  # (condition, test on a user, text, call, link)

    def _add(self, condition, test, text, call, link=True):
        self.groups.append((condition, test, text, call, link))

    def office(self, *, text="", call=""):
        self._add(Q(role=Role.OFFICE), lambda u: u.role == Role.OFFICE, text, call)

    def units(self, *units, text="", call="", link=True):
        ids = {u.pk for u in units if u is not None}
        if ids:
            self._add(
                Q(role__in=UNIT_ROLES, unit_id__in=ids),
                lambda u: u.role in UNIT_ROLES and u.unit_id in ids,
                text,
                call,
                link,
            )

    def unit_heads(self, unit, *, text="", call=""):
        self._add(
            Q(role=Role.UNIT_HEAD, unit_id=unit.pk),
            lambda u: u.role == Role.UNIT_HEAD and u.unit_id == unit.pk,
            text,
            call,
        )

    def deputies(self, suggestion, *, text="", call=""):
        ids = {d.pk for d in suggestion.deputies}
        self._add(Q(role=Role.DEPUTY, deputy_id__in=ids), lambda u: u.deputy_id in ids, text, call)

    def leaders(self, *leaders, text="", call=""):
        ids = {leader.pk for leader in leaders if leader is not None}
        if ids:
            self._add(Q(role=Role.LEADER, leader_id__in=ids), lambda u: u.leader_id in ids, text, call)

    def resolve(self, exclude=None):
        """The people concerned, in one query."""
        if not self.groups:
            return []
        condition = Q()
        for q, *_ in self.groups:
            condition |= q
        users = User.objects.filter(condition, is_active=True).select_related("deputy")
        if exclude is not None and exclude.pk:
            users = users.exclude(pk=exclude.pk)
        return list(users)

    def addressed(self, exclude=None):
        """Each person concerned with the sentence of the first group they belong to."""
        found = []
        for user in self.resolve(exclude):
            for _, test, text, call, link in self.groups:
                if test(user):
                    found.append(Addressee(user, text, call, link))
                    break
        return found


def notify(event, people, *, text=None, kind=None, suggestion=None):
    """Notify ``people`` (users, or ``Addressee``s with their own sentences) of ``event``; without an event (an
    automatic reminder) pass ``text`` and ``suggestion``."""
    from .models import Notification

    if event is not None:
        suggestion = event.suggestion
    if text is None:
        if event is None:
            raise ValueError("notify() needs text= when there is no event.")
        text = f"{suggestion.number_label}建议《{suggestion.title}》：{event.label}"
    # Dated like the event, so an action recorded after the fact (an import, the demo) does not look new.
    when = event.created_at if event is not None else timezone.now()
    notes = []
    for person in people:
        addressee = person if isinstance(person, Addressee) else Addressee(person)
        notes.append(
            Notification(
                recipient=addressee.user,
                suggestion=suggestion if addressee.link else None,
                event=event if addressee.link else None,
                kind=kind or (event.action if event else ""),
                text=addressee.text or text,
                call=addressee.call,
                created_at=when,
            )
        )
    return deliver(notes)


def deliver(notes):
    """Save unsaved ``Notification`` objects (any mix of texts and suggestions) in one query, in the caller's
    transaction, with the deliveries (email, text message) that send them out after the commit."""
    notes = create_notifications(notes)
    deliveries.queue(notes)
    return notes


def create_notifications(notes):
    from .models import Notification

    for n in notes:
        n.text = n.text[:300]
    return Notification.objects.bulk_create(notes)
