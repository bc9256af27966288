"""历史导入: a past session's 汇总表 goes in as the suggestions ended (closed, with their units, replies and
ratings), so that the figures of the session read the same as they did; or nothing goes in, and the office is
told which row and column to fix."""

import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from suggestions import exports, workflow
from suggestions.imports import history, sessions
from suggestions.imports.problems import ImportFileError
from suggestions.models import (
    Category,
    CongressSession,
    ContactRecord,
    Deputy,
    Event,
    HandlingUnit,
    Rating,
    Reply,
    Suggestion,
)
from tests.conftest import AT, Journey

pytestmark = pytest.mark.django_db

TODAY = "2026-01-15"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stats(name):
    out = io.StringIO()
    call_command("session_stats", "--session", name, "--json", "--today", TODAY, stdout=out)
    return json.loads(out.getvalue())


def journey_of(number, title, ctx, **extra):
    s = workflow.register(
        user=ctx["office"],
        at=AT,
        session=ctx["session"],
        number=number,
        title=title,
        lead_deputy=ctx["deputies"]["lead"],
        joint_deputies=[ctx["deputies"]["joint"]],
        category=ctx["categories"]["城建交通" if number % 2 else "教科文卫"],
        **extra,
    )
    return Journey(
        s,
        office=ctx["office"],
        clerk=ctx["clerk"],
        head=ctx["head"],
        units=ctx["units"],
        deputy_user=ctx["deputy_user"],
    )


@pytest.fixture
def ctx(office, clerk, head, co_clerk, units, deputies, categories, session, deputy_user, leaders):
    return {
        "office": office,
        "clerk": clerk,
        "head": head,
        "co_clerk": co_clerk,
        "units": units,
        "deputies": deputies,
        "categories": categories,
        "session": session,
        "deputy_user": deputy_user,
        "leaders": leaders,
    }


@pytest.fixture
def handled_session(ctx):
    """A session of the fixtures in every state the 汇总表 can tell: closed (A, satisfied; B, basically
    satisfied, a face-to-face visit; re-handled after 不满意 and then satisfied), replied not rated, assigned and
    late, registered, handed over to another organ."""
    key = {"is_key": True, "supervising_leader": ctx["leaders"]["health"]}
    j = journey_of(1, "关于农村道路提档升级的建议", ctx, **key).assign(co=False).reply("A").rate(3)
    workflow.perform("close", user=ctx["office"], suggestion=j.s, at=j.step())
    j = journey_of(2, "关于增设公交线路的建议", ctx).assign(co=False).sign()
    workflow.perform(
        "log_contact", user=ctx["clerk"], suggestion=j.s, assignment=j.lead, at=j.step(),
        method=ContactRecord.Method.VISIT, contacted_on=j.at.date(), participants="周敏", summary="登门走访",
    )  # fmt: skip
    j.draft("B").sign_off().submit().accept().rate(2)
    workflow.perform("close", user=ctx["office"], suggestion=j.s, at=j.step())
    j = journey_of(3, "关于改善城区停车的建议", ctx).assign(co=False).reply("C").rate(1)
    j.reply("A").rate(3)
    workflow.perform("close", user=ctx["office"], suggestion=j.s, at=j.step())
    journey_of(4, "关于加强校园安全的建议", ctx).assign(co=False).reply("A")
    journey_of(5, "关于整治背街小巷的建议", ctx).assign(co=False)
    journey_of(6, "关于建设口袋公园的建议", ctx)
    s = journey_of(7, "关于规范法律援助的建议", ctx).s
    workflow.perform("hand_over", user=ctx["office"], suggestion=s, at=AT, other_organ="市人民法院")
    return ctx["session"]


def summary_file(session, tmp_path):
    path = tmp_path / "汇总表.xlsx"
    exports.write_summary(Suggestion.objects.filter(session=session).order_by("number"), path)
    return path


def test_a_session_exported_and_imported_into_a_new_session_gives_the_same_figures(
    handled_session, tmp_path, office
):
    path = summary_file(handled_session, tmp_path)
    out = io.StringIO()
    call_command("import_history", str(path), "--session", "市八届人大六次会议", stdout=out)
    assert "已导入7件往届建议到第八届人民代表大会第六次会议（2026年，新建）" in out.getvalue()
    copy = CongressSession.objects.get(term=8, meeting=6)
    assert stats(copy.name) == stats(handled_session.name)
    assert stats(copy.name)["total"] == 7
    # and the copy exports as the original did, row for row but the title
    copied = tmp_path / "copy"
    copied.mkdir()
    assert _rows(summary_file(copy, copied)) == _rows(summary_file(handled_session, tmp_path))
    assert Event.objects.filter(suggestion__session=copy, label="历史导入").count() == 7


def _rows(path):
    sheet = openpyxl.load_workbook(path).active
    return [row for row in sheet.iter_rows(min_row=4, values_only=True)]

