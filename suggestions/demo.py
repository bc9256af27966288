"""Demo data: reference data, demo accounts and two congress sessions, every state reached through the workflow.

The data lives in ``fixtures/`` as plain JSON (not Django fixtures: nothing is written around the workflow):

- ``demo_reference.json``: the categories, delegations and their deputies, the city's leaders, the handling units
  (each with the clerk and the head who act for it), the demo accounts and a few stock texts;
- ``huozhou_2024.json``: 第八届人民代表大会第四次会议 (2024), closed: the figures of the Huozhou handling report
  (62 suggestions, 61 handled by the government, its five categories, its six key suggestions and their outcomes);
  each suggestion follows the standard life of ``_life_2024`` plus the steps it lists;
- ``demo_current.json``: 第八届人民代表大会第五次会议, in progress; every suggestion lists its own steps, dated in
  days relative to the day the seed runs, so that the demo always has live deadlines.

A step is ``{"on": <day>, "do": <action>, ...}``: ``on`` is an ISO date or a number of days from today, moved back
to the last working day on or before it; ``do`` names a ``workflow`` action (``sign_for``, ``draft_reply``, ...) and
the other keys are its data, with units named by their short name (交通局) and deputies by name.

Titles are stored whole, as deputies write them: 关于有效提升辖区消防能力的建议. A report that quotes a title writes
关于“X”, X being the title without its leading 关于: 关于“有效提升辖区消防能力的建议”.

``seed()`` may run any number of times: reference data and accounts are updated by natural key (category, delegation
and unit by name, deputy by name and delegation, leader by name, account by username; every demo password is set
back to ``DEMO_PASSWORD``), and a session that already exists is left as it is.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role

from . import deadlines, deliveries, workflow
from .models import (
    Assignment,
    Category,
    CongressSession,
    ContactRecord,
    Delegation,
    Deputy,
    Event,
    HandlingUnit,
    Leader,
    Notification,
    Reply,
    Suggestion,
)

DEMO_PASSWORD = "Demo@2024"
FIXTURES = settings.BASE_DIR / "fixtures"
CONTACT_METHODS = [m.value for m in ContactRecord.Method if m != ContactRecord.Method.OTHER]


def _fixture(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# --- accounts --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    """One demo sign-in. ``unit``, ``deputy`` and ``leader`` name what the account is linked to; ``affiliation``
    says it for people: the unit, the deputy's delegation, the leader's post."""

    username: str
    role: str
    name: str
    affiliation: str = ""
    unit: str = ""
    deputy: str = ""
    leader: str = ""

    @property
    def role_label(self):
        return Role(self.role).label


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts, in a fixed order; all sign in with ``DEMO_PASSWORD``."""
    reference = _fixture("demo_reference.json")
    accounts = reference["accounts"]
    leader = next(spec for spec in reference["leaders"] if spec["name"] == accounts["leader"])
    delegation_of = {
        d["name"]: group["name"] for group in reference["delegations"] for d in group["deputies"]
    }
    rows = [
        DemoAccount("office", Role.OFFICE, accounts["office"]["name"], "市人民政府办公室督查室"),
        DemoAccount("leader", Role.LEADER, leader["name"], leader["title"], leader=leader["name"]),
        DemoAccount("congress", Role.CONGRESS, accounts["congress"]["name"], "市人大常委会选工委"),
    ]
    for i, unit in enumerate(reference["units"], 1):
        rows.append(DemoAccount(f"unit{i}", Role.UNIT_STAFF, unit["clerk"], unit["name"], unit=unit["name"]))
        rows.append(
            DemoAccount(f"unit{i}_head", Role.UNIT_HEAD, unit["head"], unit["name"], unit=unit["name"])
        )
    for i, name in enumerate(accounts["deputies"], 1):
        rows.append(DemoAccount(f"deputy{i}", Role.DEPUTY, name, delegation_of[name], deputy=name))
    return rows


# --- reference data --------------------------------------------------------------------------------------------


@dataclass
class Reference:
    categories: dict[str, Category] = field(default_factory=dict)
    deputies: dict[str, Deputy] = field(default_factory=dict)
    leaders: dict[str, Leader] = field(default_factory=dict)
    units: dict[str, HandlingUnit] = field(default_factory=dict)  # by name and by short name
    unit_people: dict[int, dict] = field(default_factory=dict)  # unit pk -> its clerk, head and phone
    texts: dict = field(default_factory=dict)

    def unit(self, name):
        return self.units[name]


def load_reference(data) -> Reference:
    ref = Reference(texts=data["texts"])
    for order, name in enumerate(data["categories"]):
        ref.categories[name], _ = Category.objects.update_or_create(
            name=name, defaults={"order": order, "is_active": True}
        )
    serial = 0
    for order, spec in enumerate(data["delegations"], 1):
        delegation, _ = Delegation.objects.update_or_create(name=spec["name"], defaults={"order": order})
        for deputy in spec["deputies"]:
            serial += 1
            phone = deputy.get("phone") or f"1390357{serial:04d}"  # invented, like the names
            ref.deputies[deputy["name"]], _ = Deputy.objects.update_or_create(
                name=deputy["name"],
                delegation=delegation,
                defaults={"workplace": deputy["workplace"], "phone": phone, "is_active": True},
            )
    for order, spec in enumerate(data["leaders"]):
        ref.leaders[spec["name"]], _ = Leader.objects.update_or_create(
            name=spec["name"],
            defaults={
                "title": spec["title"],
                "portfolio": spec["portfolio"],
                "order": order,
                "is_active": True,
            },
        )
    for order, spec in enumerate(data["units"], 1):
        unit, _ = HandlingUnit.objects.update_or_create(
            name=spec["name"],
            defaults={
                "short_name": spec["short_name"],
                "kind": spec["kind"],
                "leader": ref.leaders[spec["leader"]],
                "document_prefix": spec["document_prefix"],
                "order": order,
                "is_active": True,
            },
        )
        ref.units[unit.name] = ref.units[unit.short_name] = unit
        ref.unit_people[unit.pk] = spec
    return ref


@dataclass
class Actors:
    """Who does what in the demo: the office, the leader, each unit's clerk and head, deputies with an account."""

    office: User
    leader: User
    clerks: dict[int, User]  # by unit pk
    heads: dict[int, User]
    deputies: dict[int, User]  # by deputy pk


def load_accounts(ref: Reference) -> Actors:
    password = make_password(DEMO_PASSWORD)  # hashed once: the slow hasher would otherwise dominate the seed
    users = {}
    for account in demo_accounts():
        users[account.username], _ = User.objects.update_or_create(
            username=account.username,
            defaults={
                "name": account.name,
                "role": account.role,
                "password": password,
                "is_active": True,
                "is_staff": account.role == Role.OFFICE,
                "unit": ref.units.get(account.unit),
                "deputy": ref.deputies.get(account.deputy),
                "leader": ref.leaders.get(account.leader),
            },
        )
    by_role = {role: [u for u in users.values() if u.role == role] for role in Role.values}
    return Actors(
        office=users["office"],
        leader=users["leader"],
        clerks={u.unit_id: u for u in by_role[Role.UNIT_STAFF]},
        heads={u.unit_id: u for u in by_role[Role.UNIT_HEAD]},
        deputies={u.deputy_id: u for u in by_role[Role.DEPUTY]},
    )


# --- days and times --------------------------------------------------------------------------------------------


def last_workday(day: datetime.date) -> datetime.date:
    while not deadlines.is_workday(day):
        day -= datetime.timedelta(days=1)
    return day


class Calendar:
    """Reads a step's ``on``: an ISO date, a date, or a number of days from ``today``."""

    def __init__(self, today: datetime.date):
        self.today = today

    def date(self, on) -> datetime.date:
        if isinstance(on, int):
            return self.today + datetime.timedelta(days=on)
        return on if isinstance(on, datetime.date) else datetime.date.fromisoformat(on)

    def day(self, on) -> datetime.date:
        """The working day on or before the date: offices act on working days."""
        return last_workday(self.date(on))


class Clock:
    """Times for one suggestion's steps: 9:00 on a new day, then 20 minutes later for each step the same day."""

    def __init__(self):
        self.current = None

    def at(self, day: datetime.date) -> datetime.datetime:
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
        if self.current is None or self.current < start:
            self.current = start
        else:
            self.current += datetime.timedelta(minutes=20)
        return self.current


# --- one suggestion's life -------------------------------------------------------------------------------------


class Life:
    """Registers one suggestion and takes it through its steps, each step by the person who would take it."""

    def __init__(self, entry, session, ref: Reference, actors: Actors, calendar: Calendar):
        self.entry, self.session, self.ref, self.actors, self.calendar = entry, session, ref, actors, calendar
        self.clock = Clock()
        self.suggestion = None

    def live(self, registered_on, steps):
        e, ref = self.entry, self.ref
        day = self.calendar.day(registered_on)
        self.suggestion = workflow.register(
            user=self.actors.office,
            at=self.clock.at(day),
            session=self.session,
            number=e["number"],
            title=e["title"],
            content=e["content"],
            source=e.get("source", Suggestion.Source.SESSION),
            submitted_on=day,
            lead_deputy=ref.deputies[e["deputy"]],
            joint_deputies=[ref.deputies[name] for name in e["joint_deputies"]],
            category=ref.categories[e["category"]],
        )
        for step in steps:
            data = {k: v for k, v in step.items() if k not in ("on", "do")}
            getattr(self, step["do"])(self.clock.at(self.calendar.day(step["on"])), **data)

    # helpers

    def _perform(self, action, user, at, assignment=None, **data):
        workflow.perform(action, user=user, suggestion=self.suggestion, assignment=assignment, at=at, **data)

    def _parts(self, unit=None, **conditions):
        parts = self.suggestion.assignments.current().filter(round=self.suggestion.round, **conditions)
        if unit is not None:
            parts = parts.filter(unit=self.ref.unit(unit))
        return list(parts.select_related("unit"))

    def _part(self, unit=None):
        """The named unit's part of the current round, or the lead unit's."""
        if unit is None:
            return self.suggestion.assignments.current().get(
                round=self.suggestion.round, role=Assignment.Role.LEAD
            )
        (part,) = self._parts(unit)
        return part

    def _clerk(self, part):
        return self.actors.clerks[part.unit_id]

    @property
    def _lead_deputy(self):
        return self.ref.deputies[self.entry["deputy"]]

    # the office

    def assign(self, at, lead_unit=None):
        """``lead_unit`` names a first lead unit that will ask to be replaced by the entry's own."""
        e, ref = self.entry, self.ref
        final_lead = ref.unit(e["lead_unit"]) if "lead_unit" in e else None
        separate = [ref.unit(name) for name in e.get("separate_units", [])]
        data = {
            "lead_unit": ref.unit(lead_unit) if lead_unit else final_lead,
            "co_units": [ref.unit(name) for name in e["co_units"]],
            "separate_units": separate,
            "leader": (final_lead or separate[0]).leader,  # the portfolio of the unit that finally answers
        }
        if e.get("key"):
            data.update(
                is_key=True,
                supervising_leader=ref.leaders[e["key"]["leader"]],
                key_order=e["key"].get("order"),  # the order the office lists them in its report
            )
        self._perform("assign", self.actors.office, at, **data)

    def hand_over(self, at, other_organ, note=""):
        self._perform("hand_over", self.actors.office, at, other_organ=other_organ, note=note)

    def rule_reassignment(self, at, approve, note=""):
        (part,) = self._parts(state=Assignment.State.REASSIGN_REQUESTED)
        note = note or (self.ref.texts["reassignment_approved"] if approve else "")
        self._perform("rule_reassignment", self.actors.office, at, part, approve=approve, note=note)

    def rule_extension(self, at, approve, note="", unit=None):
        self._perform("rule_extension", self.actors.office, at, self._part(unit), approve=approve, note=note)

    def review_reply(self, at, accept, reason="", unit=None):
        self._perform("review_reply", self.actors.office, at, self._part(unit), accept=accept, reason=reason)

    def close(self, at, note=""):
        self._perform("close", self.actors.office, at, note=note)

    def publish(self, at):
        self._perform("publish", self.actors.office, at)

    def supervise(self, at, kind, method, text):
        self._perform("supervise", self.actors.office, at, kind=kind, method=method, text=text)

    # the leader

    def comment(self, at, text):
        self._perform("comment", self.actors.leader, at, text=text)

    # the units

    def sign_for(self, at, unit=None):
        for part in self._parts(unit, state=Assignment.State.PENDING):
            self._perform("sign_for", self._clerk(part), at, part)

    def request_reassignment(self, at, to, reason, unit=None):
        part = self._part(unit)
        self._perform(
            "request_reassignment",
            self._clerk(part),
            at,
            part,
            reason=reason,
            proposed_unit=self.ref.unit(to),
        )

    def request_extension(self, at, months, grounds, unit=None):
        part = self._part(unit)
        wanted = deadlines.months_deadline(part.deadline, months).date
        self._perform(
            "request_extension", self._clerk(part), at, part, grounds=grounds, requested_deadline=wanted
        )

    def log_contact(self, at, method, summary="", unit=None):
        part = self._part(unit)
        texts, people = self.ref.texts, self.ref.unit_people[part.unit_id]
        participants = texts["participants"].format(
            unit=part.unit.short_name, clerk=people["clerk"], deputy=self._lead_deputy.name
        )
        self._perform(
            "log_contact",
            self._clerk(part),
            at,
            part,
            method=method,
            contacted_on=timezone.localdate(at),
            participants=participants,
            summary=summary or texts["contact"][method],
            deputies=[self._lead_deputy],
        )

    def send_opinion(self, at, text="", unit=None):
        for part in self._parts(unit, role=Assignment.Role.CO, state=Assignment.State.SIGNED):
            opinion = (
                text
                or self.entry.get("co_opinions", {}).get(part.unit.short_name)
                or self.ref.texts["co_opinion"]
            )
            signer = self.ref.unit_people[part.unit_id]["head"]
            self._perform("send_opinion", self._clerk(part), at, part, text=opinion, signer=signer)

    def draft_reply(self, at, unit=None, **overrides):
        part = self._part(unit)
        reply = {**self.entry.get("reply", {}), **overrides}
        people = self.ref.unit_people[part.unit_id]
        data = {
            "document_number": _document_number(part.unit, at.year),
            "contact_person": people["clerk"],
            "contact_phone": people["phone"],
            "text": reply["text"],
            "result_class": reply["result_class"],
        }
        if reply.get("commitment"):
            data["commitment"] = reply["commitment"]
            data["commitment_due"] = self.calendar.date(reply["commitment_due"])
        self._perform("draft_reply", self._clerk(part), at, part, **data)

    def sign_reply(self, at, unit=None):
        part = self._part(unit)
        self._perform("sign_reply", self.actors.heads[part.unit_id], at, part)

    def return_draft(self, at, reason, unit=None):
        part = self._part(unit)
        self._perform("return_draft", self.actors.heads[part.unit_id], at, part, reason=reason)

    def submit_reply(self, at, unit=None):
        part = self._part(unit)
        self._perform("submit_reply", self._clerk(part), at, part)

    def follow_up(self, at, progress, is_done):
        part = self._part()
        self._perform(
            "follow_up",
            self._clerk(part),
            at,
            progress=progress,
            is_done=is_done,
            followed_on=timezone.localdate(at),
        )

    # the deputy, or the office from the paper form

    def rate(self, at, overall, comment=""):
        deputy = self._lead_deputy
        user = self.actors.deputies.get(deputy.pk)
        if user is not None:
            self._perform("rate", user, at, overall=overall, comment=comment)
        else:
            self._perform(
                "record_rating", self.actors.office, at, deputy=deputy, overall=overall, comment=comment
            )


def _document_number(unit, year):
    """文号: the unit's prefix, the year and the next number of its letters that year (霍交函〔2024〕3号)."""
    prefix = f"{unit.document_prefix}〔{year}〕"
    count = Reply.objects.filter(assignment__unit=unit, document_number__startswith=prefix).count()
    return f"{prefix}{count + 1}号"


# --- the 2024 session: a standard life for each suggestion -----------------------------------------------------


def _life_2024(entry, assigned_on: datetime.date) -> list[dict]:
    """Assigned in February or March, replied within the deadline, rated, closed and published; the days vary
    with the suggestion's number so that not everything happens at once."""
    n = entry["number"]

    def on(days, action, **data):
        return {"on": assigned_on + datetime.timedelta(days=days), "do": action, **data}

    if "hand_over" in entry:
        return [on(0, "hand_over", other_organ=entry["hand_over"]["organ"], note=entry["hand_over"]["note"])]
    moved = entry.get("reassigned_from")
    if moved:
        steps = [
            on(0, "assign", lead_unit=moved["unit"]),
            on(1, "request_reassignment", to=entry["lead_unit"], reason=moved["reason"]),
            on(2, "rule_reassignment", approve=True),
        ]
    else:
        steps = [on(0, "assign")]
    steps.append(on(3, "sign_for"))
    key = entry.get("key", {})
    if "comment" in key:
        steps.append(on(4, "comment", text=key["comment"]))
    steps.append(on(10 + n % 12, "log_contact", method=entry.get("contact", CONTACT_METHODS[n % 4])))
    steps += [on(15 + n % 8 + i, "send_opinion", unit=unit) for i, unit in enumerate(entry["co_units"])]
    if "supervision" in key:
        steps.append(on(24, "supervise", kind="supervise", **key["supervision"]))
    drafted = 35 + n * 7 % 29
    steps += [
        on(drafted, "draft_reply"),
        on(drafted + 1, "sign_reply"),
        on(drafted + 2, "submit_reply"),
        on(drafted + 4, "review_reply", accept=True),
        on(drafted + 10, "publish"),
        on(drafted + 14 + n % 6, "rate", overall=entry["rating"]),
        on(drafted + 20 + n % 6, "close"),
    ]
    listed = [{**step, "on": datetime.date.fromisoformat(step["on"])} for step in entry.get("steps", [])]
    return sorted(steps + listed, key=lambda step: step["on"])


def _schedule_2024(data, entry):
    """When the report's suggestion was registered (during the session) and assigned (in two batches)."""
    n, total = entry["number"], len(data["suggestions"])
    registered = data["registered_on"][(n - 1) * len(data["registered_on"]) // total]
    assigned = data["assigned_on"][(n - 1) * len(data["assigned_on"]) // total]
    return registered, _life_2024(entry, datetime.date.fromisoformat(assigned))


def _schedule_current(data, entry):
    """The current session's suggestions list their own steps."""
    return entry.get("registered", data["registered"]), entry["steps"]


# --- sessions --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionPlan:
    fixture: str
    schedule: Callable  # (fixture data, entry) -> (registered on, steps)


SESSIONS = [
    SessionPlan("huozhou_2024.json", _schedule_2024),
    SessionPlan("demo_current.json", _schedule_current),
]


@dataclass
class SeedReport:
    """What is there after seeding: reference counts by their Chinese name, and for each session its name and
    the suggestions loaded now (None when the session was already there and was left alone)."""

    reference: dict[str, int]
    sessions: list[tuple[str, int | None]]


def seed(today: datetime.date | None = None) -> SeedReport:
    """Load the demo; ``today`` anchors the current session's dates (default: today)."""
    with deliveries.held():  # the demo's people are invented: their notifications are not sent out
        return _seed(today)


def _seed(today):
    calendar = Calendar(today or timezone.localdate())
    with transaction.atomic():
        ref = load_reference(_fixture("demo_reference.json"))
        actors = load_accounts(ref)
    loaded = []
    for plan in SESSIONS:
        data = _fixture(plan.fixture)
        name = data["session"]["name"]
        if CongressSession.objects.filter(name=name).exists():
            loaded.append((name, None))
            continue
        with transaction.atomic():
            session = _load_session(data, plan, ref, actors, calendar)
        _date_notifications(session, read=not session.is_current)
        loaded.append((name, session.suggestions.count()))
    return SeedReport(reference=_reference_counts(), sessions=loaded)


def _load_session(data, plan, ref, actors, calendar):
    spec = data["session"]
    session = CongressSession.objects.create(
        name=spec["name"],
        year=spec["year"],
        term=spec["term"],
        meeting=spec["meeting"],
        opened_on=calendar.day(spec["opened_on"]),
        is_current=spec["is_current"],
    )
    if session.is_current:
        CongressSession.objects.exclude(pk=session.pk).update(is_current=False)
    for entry in data["suggestions"]:
        registered_on, steps = plan.schedule(data, entry)
        Life(entry, session, ref, actors, calendar).live(registered_on, steps)
    return session


def _date_notifications(session, read):
    """Notifications carry the time they were sent; give the seeded ones their event's time, and mark a past
    session's as read so that nobody starts the demo with an inbox of last year's news."""
    notes = Notification.objects.filter(event__suggestion__session=session)
    notes.update(created_at=Subquery(Event.objects.filter(pk=OuterRef("event_id")).values("created_at")[:1]))
    if read:
        notes.update(read_at=F("created_at"))


def _reference_counts():
    return {
        "类别": Category.objects.count(),
        "代表团": Delegation.objects.count(),
        "代表": Deputy.objects.count(),
        "领导": Leader.objects.count(),
        "承办单位": HandlingUnit.objects.count(),
        "账号": User.objects.count(),
    }
