"""What each person may see of a suggestion, decided once.

``Suggestion.objects.visible_to(user)`` says which suggestions a person may open. This module says what of an
open suggestion they may read: which units' parts, which replies (by their state), which events of the
timeline, the supervision notes, co-unit opinions, requests, contact records and the deputies' telephone
numbers. ``suggestion_page`` gathers exactly that for the suggestion's page; the letter download, the querysets'
``visible_to`` of replies and events, and the notifications ask the same tables, so no screen decides it anew.

The government side (the office, the leaders, the units handling the suggestion) works on it; deputies and
congress staff read what the government has sent them: accepted replies, the events meant for everyone.
A unit's draft stays inside the unit until its head has signed it and the unit has sent it to the office.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from accounts.roles import UNIT_ROLES, Role

from .models import (
    Assignment,
    Commitment,
    ContactRecord,
    Event,
    ExtensionRequest,
    Job,
    Rating,
    ReassignmentRequest,
    Reply,
    Suggestion,
)
from .planning import joins_as_written

R = Reply.State
AUD = Event.Audience

OFFICE_SIDE = frozenset({Role.OFFICE, Role.LEADER})
GOVERNMENT = OFFICE_SIDE | UNIT_ROLES
EVERYONE = GOVERNMENT | {Role.DEPUTY, Role.CONGRESS}

# Replies by state: a unit reads its own at every state; these are the states anyone else reads them in.
REPLY_STATES = {
    Role.OFFICE: (R.SUBMITTED, R.RETURNED, R.ACCEPTED),
    Role.LEADER: (R.SUBMITTED, R.RETURNED, R.ACCEPTED),
    Role.UNIT_STAFF: (R.ACCEPTED,),
    Role.UNIT_HEAD: (R.ACCEPTED,),
    Role.DEPUTY: (R.ACCEPTED,),
    Role.CONGRESS: (R.ACCEPTED,),
}

# Events by audience: a unit also reads the office-and-unit and unit-only events of its own part.
AUDIENCES = {
    Role.OFFICE: (AUD.ALL, AUD.GOVERNMENT, AUD.OFFICE_UNIT),
    Role.LEADER: (AUD.ALL, AUD.GOVERNMENT, AUD.OFFICE_UNIT),
    Role.UNIT_STAFF: (AUD.ALL, AUD.GOVERNMENT),
    Role.UNIT_HEAD: (AUD.ALL, AUD.GOVERNMENT),
    Role.DEPUTY: (AUD.ALL,),
    Role.CONGRESS: (AUD.ALL,),
}
OWN_PART_AUDIENCES = (AUD.OFFICE_UNIT, AUD.UNIT)

# Who reads the rest of a suggestion's records.
READERS = {
    "former_parts": GOVERNMENT,  # parts moved to another unit (已调整)
    "requests": OFFICE_SIDE,  # 调整 and 延期 requests; a unit reads its own part's too
    "opinions": GOVERNMENT,  # 协办意见, written for the lead unit
    "notes": GOVERNMENT,  # 督办, 催办 and the leaders' 批示
    "contacts": EVERYONE,  # the deputy took part in them
    "deputy_contacts": frozenset({Role.OFFICE}) | UNIT_ROLES,  # the deputies' telephone and workplace
    "deliveries": frozenset({Role.OFFICE}),  # 消息发送: every email and text message sent out, and 重试
    "holidays": frozenset({Role.OFFICE}),  # 节假日安排: entering a year's holidays, which moves deadlines
    "similar": frozenset({Role.OFFICE}) | UNIT_ROLES,  # 相似建议 on the page (each shown only if visible_to)
}


def reader(user):
    """The role a person reads as: a superuser as the office; nobody without a role or an active account."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.OFFICE
    return user.role if user.role in EVERYONE else None


def may(user, what) -> bool:
    return reader(user) in READERS[what]


def _own_unit(user):
    return reader(user) in UNIT_ROLES and user.unit_id is not None


# --- conditions, for querysets --------------------------------------------------------------------------------


def reply_condition(user, prefix="") -> Q:
    """The replies ``user`` may read, as a condition on ``Reply`` (``prefix``: the path to it)."""
    role = reader(user)
    if role is None:
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}state__in": REPLY_STATES[role]})
    if _own_unit(user):
        condition |= Q(**{f"{prefix}assignment__unit_id": user.unit_id})
    return condition


def within_visible(queryset, user, path="suggestion"):
    """``queryset`` narrowed to the rows whose suggestion (at ``path``) ``user`` may open (``visible_to``). When
    that is every suggestion (the office, congress staff) nothing is narrowed: an ``IN (every id)`` only makes
    PostgreSQL join the whole table, and plan the join."""
    visible = Suggestion.objects.visible_to(user)
    if not visible.query.where:
        return queryset
    return queryset.filter(**{f"{path}__in": visible})


def event_condition(user) -> Q:
    role = reader(user)
    if role is None:
        return Q(pk__in=[])
    condition = Q(audience__in=AUDIENCES[role])
    if _own_unit(user):
        condition |= Q(audience__in=OWN_PART_AUDIENCES, assignment__unit_id=user.unit_id)
    return condition


def part_condition(user) -> Q:
    """The parts (assignments) of a visible suggestion that ``user`` may see listed."""
    if may(user, "former_parts"):
        return Q()
    return ~Q(state=Assignment.State.REASSIGNED)


def request_condition(user) -> Q:
    if may(user, "requests"):
        return Q()
    if _own_unit(user):
        return Q(assignment__unit_id=user.unit_id)
    return Q(pk__in=[])


# --- the same answers for one object in hand ----------------------------------------------------------------------


def may_read_reply(user, reply) -> bool:
    role = reader(user)
    if role is None:
        return False
    if _own_unit(user) and reply.assignment.unit_id == user.unit_id:
        return True
    return reply.state in REPLY_STATES[role]


# The reply letter (答复函, as a Word file): the office side reads it in the states it reads the reply in; the
# deputies and congress staff once it is accepted; of the units, only the one that wrote it (at every state: the
# draft is what its head signs). A co-unit reads the accepted reply on the page, not the unit's letter.
LETTER_STATES = {
    Role.OFFICE: REPLY_STATES[Role.OFFICE],
    Role.LEADER: REPLY_STATES[Role.LEADER],
    Role.DEPUTY: (R.ACCEPTED,),
    Role.CONGRESS: (R.ACCEPTED,),
}


def may_download_letter(user, reply) -> bool:
    """Whether ``user``, who sees the reply's suggestion, may download its 答复函."""
    role = reader(user)
    if role is None:
        return False
    if role in UNIT_ROLES:
        return _own_unit(user) and reply.assignment.unit_id == user.unit_id
    return reply.state in LETTER_STATES.get(role, ())


def may_read_event(user, event) -> bool:
    """Whether ``user``, who sees the event's suggestion, may read the event (its notification too)."""
    role = reader(user)
    if role is None:
        return False
    if event.audience in AUDIENCES[role]:
        return True
    return (
        event.audience in OWN_PART_AUDIENCES
        and _own_unit(user)
        and event.assignment is not None
        and event.assignment.unit_id == user.unit_id
    )


# --- the suggestion's page ---------------------------------------------------------------------------------------------


@dataclass
class SuggestionPage:
    """What ``user`` may see of ``suggestion``, and the actions they may take on it."""

    user: object
    suggestion: Suggestion
    parts: list
    replies: list
    events: list
    contacts: list
    opinions: list
    notes: list
    show_deputy_contacts: bool
    actions: list = field(default_factory=list)
    letters: frozenset = frozenset()  # the replies whose 答复函 ``user`` may download
    related: list = field(default_factory=list)  # 相关建议 the reader may see
    merged_into: object = None  # 并案: the main suggestion this one is handled with, if the reader may see it
    merged: list = field(default_factory=list)  # 并案: the suggestions handled with this main one
    earlier_events: bool = False  # the timeline shows only its latest events (``timeline``)
    # every accepted reply of the suggestion, when the page holds all its parts (the office side), for the
    # workflow's checks and the action dialogs to read instead of the database; None otherwise
    accepted: list | None = None

    @property
    def joint_deputies(self):
        return list(self.suggestion.joint_deputies.all())


def page_queryset(user):
    """Visible suggestions with what their page may show ``user``, prefetched in a fixed number of queries.

    The records under the parts are prefetched as flat lookups of filtered querysets: a nested one would
    travel with ``suggestion.assignments`` and re-run whenever someone filters it."""
    from .selectors import LIST_RELATED

    none = Q(pk__in=[])
    replies = Reply.objects.filter(reply_condition(user))
    lookups = [
        "joint_deputies",
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(part_condition(user)).select_related(
                "unit", "signed_by", "supports__unit"
            ),
        ),
        Prefetch(
            "assignments__contacts",
            queryset=ContactRecord.objects.filter(Q() if may(user, "contacts") else none).select_related(
                "recorded_by"
            ),
        ),
        Prefetch(
            "assignments__reassignment_requests",
            queryset=ReassignmentRequest.objects.filter(request_condition(user)).select_related(
                "proposed_unit", "new_unit"
            ),
        ),
        Prefetch(
            "assignments__extension_requests",
            queryset=ExtensionRequest.objects.filter(request_condition(user)),
        ),
        Prefetch("assignments__replies", queryset=replies),
        Prefetch(
            "assignments__replies__ratings", queryset=Rating.objects.select_related("deputy", "recorded_by")
        ),
        "assignments__replies__follow_ups__recorded_by",
        "assignments__replies__commitments__milestones",
        "assignments__replies__commitments__follow_ups",
        Prefetch(
            "assignments__replies__commitments__repeated_by",
            queryset=Suggestion.objects.visible_to(user).select_related("session"),
        ),
        Prefetch(
            "repeated_commitments",
            queryset=within_visible(
                Commitment.objects.filter(reply_condition(user, "reply__")),
                user,
                "reply__assignment__suggestion",
            ).select_related("reply__assignment__unit", "reply__assignment__suggestion__session"),
        ),
    ]
    if may(user, "opinions"):
        lookups.append("assignments__opinion")
    if may(user, "notes"):
        lookups.append("supervision_notes__author")
    return (
        Suggestion.objects.visible_to(user)
        .select_related(
            *LIST_RELATED, "lead_deputy__delegation", "delegation", "supervising_leader", "created_by"
        )
        .prefetch_related(*lookups)
    )


# The suggestion's page shows this many of the latest events of its timeline, and a link to the whole of it.
TIMELINE_LATEST = 50


def timeline(user, suggestion, *, whole=False, latest=TIMELINE_LATEST):
    """The events of ``suggestion`` that ``user`` may read, oldest first, and whether earlier ones were left out:
    the latest ``latest`` unless ``whole``, fetched in one query (one row more than shown says there are more)."""
    events = suggestion.events.filter(event_condition(user)).select_related("assignment__unit")
    if whole:
        return list(events), False
    newest = list(events.order_by("-created_at", "-id")[: latest + 1])
    return newest[:latest][::-1], len(newest) > latest


def suggestion_page(user, pk, *, with_actions=True, whole_timeline=False) -> SuggestionPage:
    """The suggestion ``pk`` as ``user`` may see it, or 404 when they may not see it at all."""
    from . import workflow

    with joins_as_written(Suggestion):  # ten tables joined for one row: planned as written (``planning``)
        suggestion = page_queryset(user).filter(pk=pk).first()
    if suggestion is None:
        raise Http404("没有这件建议，或您无权查看。")
    parts = list(suggestion.assignments.all())
    replies = [r for a in parts for r in a.replies.all()]
    # the 超期 mark from the parts at hand (as ``with_overdue`` brings it to a list's rows): a former part is
    # never late, so even a reader who does not see those has every late one
    suggestion.late_parts = [a for a in parts if a.is_overdue()]
    # the workflow's checks may read the parts, requests and replies prefetched here when they are all of them
    whole = may(user, "former_parts") and may(user, "requests")
    accepted = [r for r in replies if r.state == R.ACCEPTED] if whole else None
    events, earlier_events = timeline(user, suggestion, whole=whole_timeline)
    return SuggestionPage(
        user=user,
        suggestion=suggestion,
        parts=parts,
        replies=replies,
        events=events,
        earlier_events=earlier_events,
        contacts=sorted((c for a in parts for c in a.contacts.all()), key=lambda c: (c.contacted_on, c.pk)),
        opinions=[a.opinion for a in parts if may(user, "opinions") and hasattr(a, "opinion")],
        notes=list(suggestion.supervision_notes.all()) if may(user, "notes") else [],
        show_deputy_contacts=may(user, "deputy_contacts"),
        actions=workflow.available_actions(suggestion, user, visible=True, parts=parts if whole else None)
        if with_actions
        else [],
        letters=frozenset(r.pk for r in replies if may_download_letter(user, r)),
        related=list(suggestion.related.visible_to(user).select_related("session")),
        merged_into=Suggestion.objects.visible_to(user).filter(pk=suggestion.merged_into_id).first()
        if suggestion.merged_into_id
        else None,
        merged=list(suggestion.merged.visible_to(user)),
        accepted=accepted,
    )


def jobs_of(user):
    """A person's background jobs (「我的下载」), those still kept; nobody else's."""
    return Job.objects.filter(owner_id=user.pk, expires_at__gt=timezone.now())


def job_for(user, pk):
    """The job ``pk`` if it is ``user``'s own and still kept; its file is its owner's alone. Anyone else, or a
    pruned or expired job, gets a 404."""
    job = jobs_of(user).filter(pk=pk).first()
    if job is None:
        raise Http404("没有这项后台任务，或它已过期删除。")
    return job
