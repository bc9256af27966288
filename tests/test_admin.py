"""The Django admin: every model is there; suggestions are edited and registered through the workflow; who gets
in; users; search; change lists cost the same number of queries however many rows they show. That every page
opens and the workflow's records are read-only is test_admin_pages, on a world its tests share."""

import datetime
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from suggestions import tallies, workflow
from suggestions.models import (
    Assignment,
    Category,
    Commitment,
    CommitmentReminder,
    CongressSession,
    Delegation,
    Delivery,
    Deputy,
    FigureRevision,
    HandlingUnit,
    HolidayDay,
    Job,
    Leader,
    Milestone,
    Notification,
    Reminder,
    Suggestion,
)
from tests.conftest import AT, PASSWORD, Journey, make_user

pytestmark = pytest.mark.django_db

OUR_APPS = ("suggestions", "accounts")
MODELS = sorted(
    (m for m in admin.site._registry if m._meta.app_label in OUR_APPS), key=lambda m: m._meta.label
)
MODEL_IDS = [m._meta.label for m in MODELS]
WORKFLOW_RECORDS = [
    m
    for m in MODELS
    if m._meta.model_name
    in {
        "assignment",
        "reassignmentrequest",
        "extensionrequest",
        "contactrecord",
        "counitopinion",
        "reply",
        "rating",
        "rehandling",
        "supervisionnote",
        "commitmentfollowup",
        "commitment",
        "milestone",
        "commitmentreminder",
        "event",
        "notification",
        "reminder",
    }
]
SAVE_BUTTON = re.compile(r'name="_save"')


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# --- data: one suggestion through its whole life, so every model has a row -----------------------------------


def world_builder(office, clerk, head, co_clerk, units, deputies, deputy_user, session, categories, **_):
    """Returns a function that registers suggestion ``number`` and takes it through assignment, a refused
    reassignment, an extension request, contact, a co-unit opinion, supervision, a B-class reply, a
    follow-up and an unsatisfied rating (so it is re-handled), plus a reminder, a notification and its
    failed email.
    ``world_builder(**vars(world))`` builds with a conftest ``World``'s people."""

    def build(number, title=None):
        s = workflow.register(
            user=office,
            at=AT,
            session=session,
            number=number,
            title=title or f"关于农村道路提档升级的建议（{number}）",
            content="部分农村道路路面破损。",
            lead_deputy=deputies["lead"],
            joint_deputies=[deputies["joint"]],
            category=categories["城建交通"],
        )
        j = Journey(s, office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user)
        j.assign(co=True)
        co = s.assignments.get(role=Assignment.Role.CO)
        workflow.perform(
            "request_reassignment",
            user=co_clerk,
            suggestion=s,
            assignment=co,
            at=j.step(),
            reason="不属于本单位职责",
            proposed_unit=units["housing"],
        )
        workflow.perform(
            "rule_reassignment",
            user=office,
            suggestion=s,
            assignment=co,
            at=j.step(),
            approve=False,
            note="涉及资金保障，仍由财政局协办",
        )
        workflow.perform("sign_for", user=co_clerk, suggestion=s, assignment=co, at=j.step())
        workflow.perform(
            "send_opinion", user=co_clerk, suggestion=s, assignment=co, at=j.step(), text="同意安排资金"
        )
        j.sign()
        lead = j.lead
        workflow.perform(
            "request_extension",
            user=clerk,
            suggestion=s,
            assignment=lead,
            at=j.step(),
            grounds="需实地调研",
            requested_deadline=lead.deadline + datetime.timedelta(days=30),
        )
        workflow.perform(
            "log_contact",
            user=clerk,
            suggestion=s,
            assignment=lead,
            at=j.step(),
            method="visit",
            contacted_on=timezone.localdate(j.at),
            participants="周敏",
            summary="登门走访，当面沟通",
            deputies=[deputies["lead"]],
        )
        workflow.perform("supervise", user=office, suggestion=s, at=j.step(), text="电话督办", method="phone")
        Reminder.objects.create(assignment=lead, stage=Reminder.Stage.WEEK_BEFORE, deadline=lead.deadline)
        day = datetime.date(2027, 1, 1) + datetime.timedelta(days=number)  # a day of an entered 节假日安排
        HolidayDay.objects.create(date=day, year=day.year, kind=HolidayDay.Kind.REST, name="春节")
        j.draft("B").sign_off().submit().accept()
        workflow.perform("follow_up", user=office, suggestion=s, at=j.step(), progress="已开工")
        promised = Commitment.objects.get(reply__assignment__suggestion=s)
        Milestone.objects.create(commitment=promised, text="完成设计", due=promised.due)
        CommitmentReminder.objects.create(commitment=promised, due=promised.due)
        j.rate(1)  # unsatisfied: a second round starts
        note = Notification.objects.create(
            recipient=clerk,
            suggestion=s,
            event=s.events.last(),
            kind="rate",
            text=f"{s.number_label}：评价答复",
        )
        Job.objects.create(
            owner=office,
            kind=Job.Kind.SUMMARY,
            title=f"建议办理情况汇总表（{session.name}）",
            state=Job.State.DONE,
            expires_at=j.step(),
        )
        Delivery.objects.create(
            notification=note,
            channel=Delivery.Channel.EMAIL,
            address="clerk@jtj.example.cn",
            state=Delivery.State.FAILED,
            attempts=3,
            last_error="SMTPException: 邮件服务器拒绝连接",
        )
        s.refresh_from_db()
        return s

    return build


@pytest.fixture
def build_world(office, clerk, head, co_clerk, units, deputies, deputy_user, session, categories):
    return world_builder(office, clerk, head, co_clerk, units, deputies, deputy_user, session, categories)


def create_superuser():
    return User.objects.create_superuser(username="root", password=PASSWORD, name="管理员")


def make_staff(office):
    office.is_staff = True
    office.save(update_fields=["is_staff"])
    return office


@pytest.fixture
def superuser(db):
    return create_superuser()


@pytest.fixture
def office_staff(office):
    return make_staff(office)


@pytest.fixture(params=["superuser", "office_staff"])
def admin_user(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def office_client(client, office_staff):
    client.force_login(office_staff)
    return client


def test_every_model_is_registered():
    wanted = set(apps.get_app_config("suggestions").get_models()) | {User}
    assert wanted <= set(admin.site._registry)
    assert {m._meta.label for m in wanted} == set(MODEL_IDS)


def test_models_have_chinese_names():
    for model in MODELS:
        assert re.search(r"[\u4e00-\u9fff]", str(model._meta.verbose_name_plural)), model


def test_office_edits_reference_data(office_client, units):
    unit = units["finance"]
    response = office_client.post(
        url(HandlingUnit, "change", unit.pk),
        {"name": "市财政局", "short_name": "财政", "kind": "government", "order": 3, "is_active": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    unit.refresh_from_db()
    assert (unit.short_name, unit.order) == ("财政", 3)


# --- the suggestion: registration details through the workflow, state read-only ------------------------------


def _change_data(s, **changes):
    data = {
        "session": s.session_id,
        "number": s.number,
        "title": s.title,
        "content": s.content,
        "source": s.source,
        "submitted_on": "",
        "lead_deputy": s.lead_deputy_id,
        "joint_deputies": [d.pk for d in s.joint_deputies.all()],
        "delegation": s.delegation_id,
        "category": s.category_id,
        "leader": s.leader_id or "",
        "supervising_leader": s.supervising_leader_id or "",
        "remarks": s.remarks,
        "assignments-TOTAL_FORMS": 0,
        "assignments-INITIAL_FORMS": 0,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    if s.is_key:
        data["is_key"] = "on"
    data.update(changes)
    return data


def test_suggestion_workflow_fields_are_read_only(office_client, journey):
    journey.assign()
    s = journey.s
    page = office_client.get(url(Suggestion, "change", s.pk))
    form = page.context["adminform"].form
    for name in ("state", "round", "lead_unit", "assigned_on", "deadline", "replied_at", "result_class"):
        assert name not in form.fields
    for name in ("rating", "closed_at", "created_by"):
        assert name not in form.fields
    assert "title" in form.fields


def test_editing_a_suggestion_goes_through_the_workflow(office_client, office_staff, journey):
    journey.assign()
    s = journey.s
    response = office_client.post(
        url(Suggestion, "change", s.pk),
        _change_data(s, title="关于农村公路提档升级改造的建议", state="closed", deadline="2030-01-01"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    deadline = s.deadline
    s.refresh_from_db()
    assert s.title == "关于农村公路提档升级改造的建议"
    assert s.state == Suggestion.State.ASSIGNED
    assert s.deadline == deadline
    edit = s.events.get(action="edit")
    assert edit.actor == office_staff
    assert "案由" in edit.note


def test_a_refused_edit_is_reported_not_saved(office_client, journey, monkeypatch):
    """The workflow has the last word: if it refuses (say the state changed meanwhile), nothing is saved."""
    from django.contrib.admin.models import LogEntry

    journey.assign()
    s = journey.s

    def refuse(*args, **kwargs):
        raise workflow.WorkflowError("建议当前状态为「已答复」，不能修改登记信息。")

    monkeypatch.setattr(workflow, "perform", refuse)
    path = url(Suggestion, "change", s.pk)
    response = office_client.post(path, _change_data(s, title="改过的案由"), follow=True)
    assert response.redirect_chain == [(path, 302)]
    assert "未保存：建议当前状态为「已答复」" in response.content.decode()
    s.refresh_from_db()
    assert s.title != "改过的案由"
    assert not LogEntry.objects.exists()


def test_closed_suggestion_is_view_only(client, superuser, journey):
    journey.assign().reply("A").rate(3)
    workflow.perform("close", user=journey.office, suggestion=journey.s, at=journey.step())
    s = journey.s
    client.force_login(superuser)
    page = client.get(url(Suggestion, "change", s.pk))
    assert page.status_code == 200
    assert not SAVE_BUTTON.search(page.content.decode())
    assert client.post(url(Suggestion, "change", s.pk), _change_data(s, title="改")).status_code == 403
    s.refresh_from_db()
    assert s.title != "改"


def test_registering_in_the_admin_goes_through_the_workflow(
    office_client, office_staff, session, categories, deputies
):
    response = office_client.post(
        url(Suggestion, "add"),
        {
            "session": session.pk,
            "number": 7,
            "title": "关于增设城区公共停车位的建议",
            "content": "老城区停车难。",
            "source": "session",
            "lead_deputy": deputies["lead"].pk,
            "joint_deputies": [deputies["joint"].pk, deputies["other"].pk],
            "delegation": "",
            "category": categories["城建交通"].pk,
            "remarks": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    s = Suggestion.objects.get(session=session, number=7)
    assert s.state == Suggestion.State.REGISTERED
    assert s.delegation == deputies["lead"].delegation
    assert s.created_by == office_staff
    assert set(s.joint_deputies.all()) == {deputies["joint"], deputies["other"]}
    assert list(s.events.values_list("action", flat=True)) == ["register"]


def test_admin_refuses_a_duplicate_number(office_client, registered):
    response = office_client.post(
        url(Suggestion, "add"),
        {
            "session": registered.session_id,
            "number": registered.number,
            "title": "重复编号",
            "source": "session",
            "lead_deputy": registered.lead_deputy_id,
            "category": registered.category_id,
        },
    )
    assert response.status_code == 200
    assert "本届次会议中已有该编号的建议" in response.content.decode()
    assert Suggestion.objects.count() == 1


# --- who gets in -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.UNIT_STAFF, Role.UNIT_HEAD, Role.DEPUTY, Role.LEADER, Role.CONGRESS])
def test_other_roles_with_is_staff_get_no_admin_data(client, units, deputies, leaders, registered, role):
    links = {
        Role.UNIT_STAFF: {"unit": units["transport"]},
        Role.UNIT_HEAD: {"unit": units["transport"]},
        Role.DEPUTY: {"deputy": deputies["other"]},
        Role.LEADER: {"leader": leaders["health"]},
        Role.CONGRESS: {},
    }[role]
    user = make_user(f"staff_{role}", role, **links)
    user.is_staff = True
    user.save()
    client.force_login(user)
    for model in (Suggestion, User):
        assert client.get(url(model, "changelist")).status_code == 403
        assert (
            client.get(url(model, "change", registered.pk if model is Suggestion else user.pk)).status_code
            == 403
        )
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "suggestions/suggestion/" not in index.content.decode()
    assert client.get(reverse("admin:app_list", args=["suggestions"])).status_code in (403, 404)


def test_anonymous_is_sent_to_login(client):
    response = client.get(url(Suggestion, "changelist"))
    assert response.status_code == 302
    assert "login/?next=/admin/suggestions/suggestion/" in response["Location"]


# --- users -----------------------------------------------------------------------------------------------------


def test_user_admin_shows_role_and_links(office_client, clerk):
    page = office_client.get(url(User, "changelist"), {"q": "clerk"})
    html = page.content.decode()
    assert "承办单位经办人" in html and "市交通运输局" in html
    filtered = office_client.get(url(User, "changelist"), {"role__exact": "unit_staff"})
    assert list(filtered.context["cl"].result_list) == [clerk]
    form = office_client.get(url(User, "add")).context["adminform"].form
    for name in ("role", "unit", "deputy", "leader", "name", "phone"):
        assert name in form.fields


def test_office_creates_a_unit_user(office_client, units):
    data = {
        "username": "newclerk",
        "usable_password": "true",
        "password1": "Zx9!longpass",
        "password2": "Zx9!longpass",
        "name": "吴晓",
        "phone": "13800000000",
        "role": "unit_staff",
        "unit": "",
    }
    refused = office_client.post(url(User, "add"), data)
    assert refused.status_code == 200
    assert "承办单位人员必须指定所属单位" in refused.content.decode()
    data["unit"] = units["health"].pk
    created = office_client.post(url(User, "add"), data)
    assert created.status_code == 302
    user = User.objects.get(username="newclerk")
    assert (user.role, user.unit, user.name, user.is_superuser) == (
        "unit_staff",
        units["health"],
        "吴晓",
        False,
    )
    assert user.check_password("Zx9!longpass")


def test_office_cannot_make_or_change_superusers(office_client, office_staff, superuser, clerk):
    form = office_client.get(url(User, "change", clerk.pk)).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "groups" not in form.fields and "user_permissions" not in form.fields
    response = office_client.post(
        url(User, "change", office_staff.pk),
        {
            "username": "office",
            "role": "office",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "name": "office",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    office_staff.refresh_from_db()
    assert not office_staff.is_superuser
    assert office_client.post(url(User, "change", superuser.pk), {"username": "x"}).status_code == 403
    assert (
        office_client.get(reverse("admin:auth_user_password_change", args=[superuser.pk])).status_code == 403
    )


# --- searching, and constant queries ---------------------------------------------------------------------------


def test_search_finds_a_suggestion_by_chinese_title_fragment(office_client, build_world, registered):
    build_world(2, title="关于加强城区养老服务设施建设的建议")
    response = office_client.get(url(Suggestion, "changelist"), {"q": "养老服务"})
    assert [s.number for s in response.context["cl"].result_list] == [2]
    response = office_client.get(url(Suggestion, "changelist"), {"q": "第1号"})
    assert [s.number for s in response.context["cl"].result_list] == [1]
    response = office_client.get(url(Suggestion, "changelist"), {"q": "钱晓梅"})  # a joint deputy
    assert sorted(s.number for s in response.context["cl"].result_list) == [1, 2]


def _count_queries(client, path, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_suggestion_changelist_queries_do_not_grow(
    office_client, office, session, categories, deputies, units
):
    def add(numbers):
        for n in numbers:
            s = workflow.register(
                user=office,
                at=AT,
                session=session,
                number=n,
                title=f"建议{n}",
                lead_deputy=deputies["lead" if n % 2 else "other"],
                joint_deputies=[deputies["joint"]],
                category=list(categories.values())[n % 5],
            )
            if n % 3:
                workflow.perform("assign", user=office, suggestion=s, at=AT, lead_unit=units["transport"])

    path = url(Suggestion, "changelist")
    add(range(1, 6))
    five, response = _count_queries(office_client, path)
    assert response.context["cl"].result_count == 5
    add(range(6, 26))
    twenty_five, response = _count_queries(office_client, path)
    assert response.context["cl"].result_count == 25
    assert five == twenty_five, (five, twenty_five)
    searched, _ = _count_queries(office_client, path, {"q": "钱晓梅", "state__exact": "assigned"})
    assert searched <= five + 2
    print(f"suggestion changelist: {five} queries for 5 rows, {twenty_five} for 25")


def test_every_changelist_costs_the_same_for_more_rows(client, superuser, build_world):
    client.force_login(superuser)

    def measure():
        return {model: _count_queries(client, url(model, "changelist")) for model in MODELS}

    build_world(1)
    tallies.figures_for(superuser)  # the figures' tallies, kept as a page reads them
    fewer = measure()
    build_world(2)
    build_world(3)
    _more_reference_data(3)
    session = CongressSession.objects.create(
        name="第九届人民代表大会第九次会议", year=2040, term=9, meeting=9
    )
    FigureRevision.objects.create(
        session=session, revision=1
    )  # the triggers' row, as a write there would make
    tallies.figures_for(superuser)
    more = measure()
    for model in MODELS:
        assert more[model][1].context["cl"].result_count > fewer[model][1].context["cl"].result_count, model
    grown = {m._meta.label: (fewer[m][0], more[m][0]) for m in MODELS if fewer[m][0] != more[m][0]}
    assert not grown, f"change lists whose queries grow with rows: {grown}"


def _more_reference_data(n):
    leader = Leader.objects.create(name=f"领导{n}", portfolio="财政")
    delegation = Delegation.objects.create(name=f"代表团{n}", order=n)
    CongressSession.objects.create(name=f"第九届人民代表大会第{n}次会议", year=2030 + n, term=9, meeting=n)
    HandlingUnit.objects.create(name=f"单位{n}", leader=leader)
    Category.objects.create(name=f"类别{n}", order=10 + n)
    deputy = Deputy.objects.create(name=f"代表{n}", delegation=delegation)
    make_user(f"deputy{n}", Role.DEPUTY, deputy=deputy)


def test_autocomplete_finds_deputies_and_units(office_client, deputies, units):
    base = reverse("admin:autocomplete")
    found = office_client.get(
        base,
        {"app_label": "suggestions", "model_name": "suggestion", "field_name": "lead_deputy", "term": "赵"},
    )
    assert found.status_code == 200
    assert [r["text"] for r in found.json()["results"]] == ["赵明远"]
    found = office_client.get(
        base, {"app_label": "accounts", "model_name": "user", "field_name": "unit", "term": "交通"}
    )
    assert [r["text"] for r in found.json()["results"]] == ["市交通运输局"]
