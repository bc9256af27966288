"""公开: which replies the public portal shows, and when each is published.

A reply is published when it is the office's accepted reply on a replied or closed suggestion, not withheld
(``Reply.is_public``), and either the office published it (``published_at``, the 「公开答复」 action or the history
import) or ``publish_working_days`` working days have passed since the office accepted it (``reviewed_at``).
The schedule is worked out once per request as a cut-off date (the last acceptance day whose publication day has
come), so the list stays one query whatever its length.
"""

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import deadlines, rules
from .masking import mask_contacts
from .models import Reply, Suggestion

PUBLISHED_STATES = (Suggestion.State.REPLIED, Suggestion.State.CLOSED)

_joint_count = (
    Suggestion.joint_deputies.through.objects.filter(suggestion_id=OuterRef("assignment__suggestion_id"))
    .values("suggestion_id")
    .annotate(n=Count("pk"))
    .values("n")
)


def publication_day(accepted_on: datetime.date) -> datetime.date:
    """The day a reply accepted on ``accepted_on`` is published by the rules' schedule."""
    return deadlines.working_days_after(accepted_on, rules.get("publish_working_days")).date


def last_published_acceptance(today: datetime.date) -> datetime.date:
    """The latest acceptance day whose publication day is ``today`` or earlier (the schedule only moves later
    with the acceptance day, so walk back from ``today`` until one is due)."""
    day = today - datetime.timedelta(days=rules.get("publish_working_days"))
    while publication_day(day) > today:
        day -= datetime.timedelta(days=1)
    return day


def published_replies(today: datetime.date | None = None):
    """The replies the public may read on ``today`` (default: today), newest first, with what the portal shows."""
    today = today or timezone.localdate()
    cutoff = last_published_acceptance(today)
    tz = timezone.get_current_timezone()
    accepted_by = datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    published_by = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return (
        Reply.objects.filter(
            state=Reply.State.ACCEPTED,
            is_public=True,
            assignment__suggestion__state__in=PUBLISHED_STATES,
        )
        .filter(Q(published_at__lt=published_by) | Q(reviewed_at__lt=accepted_by))
        .select_related(
            "assignment__unit",
            "assignment__suggestion__session",
            "assignment__suggestion__category",
            "assignment__suggestion__lead_deputy",
        )
        # a subquery, not a join counted with GROUP BY: PostgreSQL works it out for the page's rows only (after
        # the sort and the limit), and the page count leaves it out (a GROUP BY made both read every published
        # reply: 1.1 s at 100,000 suggestions)
        .annotate(joint_count=Coalesce(Subquery(_joint_count), Value(0), output_field=IntegerField()))
        .order_by("-reviewed_at", "-pk")
    )


def search(replies, *, session=None, category=None, unit=None, text=""):
    """The published replies narrowed by the portal's search form (already parsed)."""
    if session:
        replies = replies.filter(assignment__suggestion__session=session)
    if category:
        replies = replies.filter(assignment__suggestion__category=category)
    if unit:
        replies = replies.filter(assignment__unit=unit)
    for word in text.split():
        replies = replies.filter(
            Q(assignment__suggestion__title__icontains=word)
            | Q(assignment__suggestion__content__icontains=word)
            | Q(text__icontains=word)
        )
    return replies


def public_view(reply):
    """What the portal shows of ``reply``: every text masked (the deputies' phones and the reply's contact phone
    among the numbers masked whatever their shape). Deputies' names: the lead deputy's, with how many joined,
    as the reply letter names its addressee; no phone, workplace or account of anyone."""
    s = reply.assignment.suggestion
    phones = [reply.contact_phone, s.lead_deputy.phone if s.lead_deputy else ""]

    def masked(text):
        return mask_contacts(text, phones=phones)

    published = reply.published_at.date() if reply.published_at else None
    if reply.reviewed_at is not None:
        scheduled = publication_day(timezone.localdate(reply.reviewed_at))
        published = min(published, scheduled) if published else scheduled
    deputy = masked(s.lead_deputy.name) if s.lead_deputy else ""
    joint = getattr(reply, "joint_count", None)
    joint = s.joint_deputies.count() if joint is None else joint
    return {
        "pk": reply.pk,
        "session": s.session.name,
        "number": s.number,
        "category": s.category.name if s.category else "",
        "title": masked(s.title),
        "content": masked(s.content),
        "deputies": deputy + (f"等{joint + 1}位代表" if joint else "代表"),
        "unit": reply.assignment.unit.name,
        "result_class": rules.result_class_label(reply.result_class),
        "document_number": masked(reply.document_number),
        "text": masked(reply.text),
        "commitment": masked(reply.commitment),
        "commitment_due": reply.commitment_due,
        "published_on": published,
    }
