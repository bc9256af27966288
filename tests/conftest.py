"""Shared fixtures: reference data, one user per role, a suggestion at any point of its life, and the demo."""

import datetime
import io
import os
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from suggestions import deadlines, demo, workflow
from suggestions.models import Category, CongressSession, Delegation, Deputy, HandlingUnit, Leader
from tests.result_class_helpers import four_result_classes, jia_yi_bing  # noqa: F401  (fixtures for every test)
from tests.snapshots import Snapshot, empty_the_tables, once_per_run, rows_elsewhere

PASSWORD = "Test@2024pass"
AT = timezone.make_aware(datetime.datetime(2025, 3, 3, 9, 0))  # a Monday


@pytest.fixture(autouse=True)
def _no_entered_holidays():
    """Each test starts with no entered holiday schedule in the deadlines' cache (one a test saved was rolled
    back with it), and without asking the database: saving a schedule makes the next deadline read it."""
    deadlines.forget_entered_days({})
    yield
    deadlines.forget_entered_days({})


# --- reference data and one account per role ---------------------------------------------------------------
# Plain functions, which the fixtures call: a module whose tests only read builds them once instead (``World``).


def create_session():
    return CongressSession.objects.create(name="第八届人民代表大会第五次会议", year=2025, term=8, meeting=5)


def create_categories():
    return {
        name: Category.objects.create(name=name, order=i)
        for i, name in enumerate(["城建交通", "农林水利", "教科文卫", "社会民生", "经济环保"])
    }


def create_leaders():
    return {
        "traffic": Leader.objects.create(name="王建国", portfolio="城建、交通", order=1),
        "health": Leader.objects.create(name="李秀英", portfolio="教育、卫生", order=2),
    }


def create_units(leaders):
    return {
        "transport": HandlingUnit.objects.create(
            name="市交通运输局", short_name="交通局", leader=leaders["traffic"], document_prefix="霍交函"
        ),
        "housing": HandlingUnit.objects.create(
            name="市住房和城乡建设管理局", short_name="住建局", leader=leaders["traffic"]
        ),
        "health": HandlingUnit.objects.create(
            name="市卫生健康和体育局", short_name="卫体局", leader=leaders["health"]
        ),
        "finance": HandlingUnit.objects.create(name="市财政局", short_name="财政局"),
    }


def create_delegation():
    return Delegation.objects.create(name="开元街道代表团")


def create_deputies(delegation):
    return {
        "lead": Deputy.objects.create(name="赵明远", delegation=delegation),
        "joint": Deputy.objects.create(name="钱晓梅", delegation=delegation),
        "other": Deputy.objects.create(name="孙志强", delegation=delegation),
    }


def make_user(username, role, **links):
    return User.objects.create_user(username=username, password=PASSWORD, role=role, name=username, **links)


# fixture: (username, role, the link and the key of what it links to in leaders, units or deputies). The clerk
# and the head are the transport bureau's, the usual lead unit here; co_clerk the finance bureau's, its co-unit.
ACCOUNTS = {
    "office": ("office", Role.OFFICE, None, None),
    "congress": ("congress", Role.CONGRESS, None, None),
    "leader_user": ("leader", Role.LEADER, "leader", "traffic"),
    "other_leader_user": ("leader2", Role.LEADER, "leader", "health"),
    "clerk": ("clerk", Role.UNIT_STAFF, "unit", "transport"),
    "head": ("head", Role.UNIT_HEAD, "unit", "transport"),
    "co_clerk": ("co_clerk", Role.UNIT_STAFF, "unit", "finance"),
    "outsider_clerk": ("outsider", Role.UNIT_STAFF, "unit", "health"),
    "deputy_user": ("deputy", Role.DEPUTY, "deputy", "lead"),
    "joint_deputy_user": ("deputy_joint", Role.DEPUTY, "deputy", "joint"),
    "other_deputy_user": ("deputy_other", Role.DEPUTY, "deputy", "other"),
}


def create_account(fixture, linked=None):
    """The account the fixture named ``fixture`` gives; ``linked`` holds what it links to (leaders, units or
    deputies)."""
    username, role, link, key = ACCOUNTS[fixture]
    return make_user(username, role, **({link: linked[key]} if link else {}))


class World(SimpleNamespace):
    """Everything the fixtures below make, made at once and named as they are (``world.session``,
    ``world.units``, ``world.clerk``, ...): data that the tests of one module share and only read, built in a
    module-scoped transaction (``module_world``)."""

    @classmethod
    def build(cls):
        world = cls(session=create_session(), categories=create_categories(), leaders=create_leaders())
        world.units = create_units(world.leaders)
        world.delegation = create_delegation()
        world.deputies = create_deputies(world.delegation)
        linked = {"leader": world.leaders, "unit": world.units, "deputy": world.deputies}
        for fixture, (_, _, link, _) in ACCOUNTS.items():
            setattr(world, fixture, create_account(fixture, linked.get(link)))
        return world


@contextmanager
def module_world(django_db_blocker, build):
    """For a module-scoped fixture: ``build()`` once, in a transaction rolled back after the module. Each test
    runs in a savepoint inside it, so what a test changes is undone before the next, provided the test has
    pytest-django's ``db`` (mark the module ``django_db``): without it a test would write into the world."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)


@pytest.fixture
def session(db):
    return create_session()


@pytest.fixture
def categories(db):
    return create_categories()


@pytest.fixture
def leaders(db):
    return create_leaders()


@pytest.fixture
def units(db, leaders):
    return create_units(leaders)


@pytest.fixture
def delegation(db):
    return create_delegation()


@pytest.fixture
def deputies(db, delegation):
    return create_deputies(delegation)


@pytest.fixture
def office(db):
    return create_account("office")


@pytest.fixture
def congress(db):
    return create_account("congress")


@pytest.fixture
def leader_user(db, leaders):
    return create_account("leader_user", leaders)


@pytest.fixture
def other_leader_user(db, leaders):
    return create_account("other_leader_user", leaders)


@pytest.fixture
def clerk(db, units):
    """Staff of the transport bureau, the usual lead unit here."""
    return create_account("clerk", units)


@pytest.fixture
def head(db, units):
    return create_account("head", units)


@pytest.fixture
def co_clerk(db, units):
    return create_account("co_clerk", units)


@pytest.fixture
def outsider_clerk(db, units):
    return create_account("outsider_clerk", units)


@pytest.fixture
def deputy_user(db, deputies):
    return create_account("deputy_user", deputies)


@pytest.fixture
def joint_deputy_user(db, deputies):
    return create_account("joint_deputy_user", deputies)


@pytest.fixture
def other_deputy_user(db, deputies):
    return create_account("other_deputy_user", deputies)


def create_registered(office, session, categories, deputies, **_):
    return workflow.register(
        user=office,
        at=AT,
        session=session,
        number=1,
        title="关于农村道路提档升级的建议",
        content="部分农村道路路面破损，建议提档升级。",
        lead_deputy=deputies["lead"],
        joint_deputies=[deputies["joint"]],
        category=categories["城建交通"],
    )


@pytest.fixture
def registered(db, office, session, categories, deputies):
    return create_registered(office, session, categories, deputies)


class Journey:
    """Moves a suggestion along its life with the right person at each step."""

    def __init__(self, suggestion, *, office, clerk, head, units, deputy_user):
        self.s = suggestion
        self.office, self.clerk, self.head, self.units, self.deputy_user = (
            office,
            clerk,
            head,
            units,
            deputy_user,
        )
        self.at = AT

    def step(self, days=1):
        self.at += datetime.timedelta(days=days)
        return self.at

    @property
    def lead(self):
        return self.s.assignments.get(role="lead", round=self.s.round, state__in=self._live)

    _live = [
        "pending",
        "signed",
        "reassign_requested",
        "drafted",
        "revising",
        "signed_off",
        "submitted",
        "returned",
        "replied",
    ]

    def assign(self, co=True):
        co_units = [self.units["finance"]] if co else []
        workflow.perform(
            "assign",
            user=self.office,
            suggestion=self.s,
            at=self.step(0),
            lead_unit=self.units["transport"],
            co_units=co_units,
        )
        return self

    def sign(self):
        workflow.perform("sign_for", user=self.clerk, suggestion=self.s, assignment=self.lead, at=self.step())
        return self

    def draft(self, result_class="A", **extra):
        data = {
            "document_number": "霍交函〔2025〕12号",
            "contact_person": "周敏",
            "contact_phone": "0357-5620000",
            "text": "经研究，答复如下：一、……",
            "result_class": result_class,
        }
        if result_class == "B":
            data.update(commitment="年内完成改造", commitment_due=datetime.date(2025, 12, 31))
        data.update(extra)
        workflow.perform(
            "draft_reply", user=self.clerk, suggestion=self.s, assignment=self.lead, at=self.step(), **data
        )
        return self

    def sign_off(self):
        workflow.perform(
            "sign_reply", user=self.head, suggestion=self.s, assignment=self.lead, at=self.step()
        )
        return self

    def submit(self):
        workflow.perform(
            "submit_reply", user=self.clerk, suggestion=self.s, assignment=self.lead, at=self.step()
        )
        return self

    def accept(self):
        workflow.perform(
            "review_reply",
            user=self.office,
            suggestion=self.s,
            assignment=self.lead,
            at=self.step(),
            accept=True,
        )
        return self

    def reply(self, result_class="A"):
        return self.sign().draft(result_class).sign_off().submit().accept()

    def rate(self, overall=3, user=None, comment=None):
        if comment is None:
            comment = "答复没有解决问题。" if overall == 1 else ""
        workflow.perform(
            "rate",
            user=user or self.deputy_user,
            suggestion=self.s,
            at=self.step(),
            overall=overall,
            comment=comment,
        )
        return self


@pytest.fixture
def journey(registered, office, clerk, head, units, deputy_user):
    return Journey(registered, office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user)


# --- the demo, seeded once per run -----------------------------------------------------------------------------


def _seed_demo():
    """Run ``seed_demo`` on the empty database, committed as it is for real (the notifications the workflow
    sends on commit are there too); keep its rows and what ``demo.seed`` reported, then empty the tables again
    for the tests that start from nothing."""
    if connection.in_atomic_block:
        raise RuntimeError(
            "demo_snapshot was first asked for inside a transaction (a module's world?): ask for it first, "
            'e.g. pytestmark = pytest.mark.usefixtures("demo_snapshot")'
        )
    seed, reports, elsewhere = demo.seed, [], rows_elsewhere()
    with mock.patch.object(demo, "seed", lambda: reports.append(seed()) or reports[0]):
        call_command("seed_demo", stdout=io.StringIO())
    assert rows_elsewhere() == elsewhere, (
        "seed_demo wrote rows outside accounts and suggestions: keep them too"
    )
    snapshot = Snapshot.take(reports[0])
    empty_the_tables()
    return snapshot


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's rows, seeded through the workflow once per test run: by this process, or under xdist by
    the first worker that needs them (the others read them from the run's shared temporary directory).

    Ask for ``seeded`` (the tests of a module that reads the demo) or, in the browser journeys, their
    ``demo_db``; each writes these rows into its database."""
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else None
    with django_db_blocker.unblock():
        return once_per_run("demo", _seed_demo, shared)


@pytest.fixture(scope="session", autouse=True)
def _demo_seeded_early_on_the_first_worker(request):
    """Under xdist, the first worker seeds before its first test when the run has tests that read the demo:
    the other worker goes on with its tests and finds the rows ready, instead of waiting for the seed when
    both come to the demo's modules at once."""
    if os.environ.get("PYTEST_XDIST_WORKER") != "gw0":
        return
    if any("demo_snapshot" in item.fixturenames for item in request.session.items):
        request.getfixturevalue("demo_snapshot")


@pytest.fixture(scope="module")
def seeded(demo_snapshot, django_db_blocker):
    """The demo for one test module, loaded once in a transaction rolled back after the module; each test runs
    in a savepoint inside it, so what a test changes (``seed_demo`` run again, say) is undone before the next.
    Returns what seeding reported (``demo.SeedReport``)."""

    def load():
        demo_snapshot.load()
        return demo_snapshot.report

    with module_world(django_db_blocker, load) as report:
        yield report
