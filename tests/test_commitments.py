"""落实跟踪 (回头看): a commitment-class reply carries its commitments with milestones; after closing the unit
reports progress until each is done; reminders go out when a target passes; the office lists what is open;
the figures gain 承诺事项按期落实率; a later session's suggestion stays linked to the commitment it repeats."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from suggestions import report, statistics, workflow
from suggestions.exports.figures import overview_rows
from suggestions.models import Commitment, CongressSession, Notification, Reply, Suggestion

from .view_helpers import (
    REPLY_FORM,
    dated_today,
    detail_url,
    iso,
    messages_shown,
    post_action,
    section,
    today,
)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def replied_with_commitments(client, journey, clerk, plan=""):
    """The clerk drafts a B-class reply on the reply page (a commitment, and more in 更多承诺事项与阶段目标);
    it is signed, submitted, accepted, rated 满意 and closed."""
    j = dated_today(journey).assign(co=False).sign()
    client.force_login(clerk)
    data = {
        **REPLY_FORM,
        "result_class": "B",
        "commitment": "完成道路路面硬化",
        "commitment_due": iso(today() + 100 * DAY),
        "commitment_plan": plan,
    }
    response = client.post(reverse("suggestions:reply_form", args=[j.s.pk, j.lead.pk]), data, follow=True)
    assert messages_shown(response) == ["拟写答复：已完成。答复稿已送单位负责人签发。"]
    j.sign_off().submit().accept().rate(3)
    workflow.perform("close", user=j.office, suggestion=j.s, at=j.step())
    return j


def test_a_reply_carries_several_commitments_each_with_its_milestones(client, journey, clerk, deputy_user):
    plan = f"- {iso(today() + 30 * DAY)} 完成设计\n{iso(today() + 200 * DAY)} 安装路灯\n- {iso(today() + 150 * DAY)} 招标"
    j = replied_with_commitments(client, journey, clerk, plan)
    first, second = Commitment.objects.order_by("position")
    assert (first.text, first.due, [m.text for m in first.milestones.all()]) == (
        "完成道路路面硬化",
        today() + 100 * DAY,
        ["完成设计"],
    )
    assert (second.text, [m.text for m in second.milestones.all()]) == ("安装路灯", ["招标"])
    reply = Reply.objects.get()
    assert (reply.commitment, reply.commitment_due) == ("完成道路路面硬化；安装路灯", today() + 200 * DAY)
    client.force_login(deputy_user)
    page = section(client.get(detail_url(j.s)), "reply")
    assert "承诺事项1：完成道路路面硬化" in page and "承诺事项2：安装路灯" in page and "阶段目标" in page


def test_after_closing_the_unit_posts_progress_until_each_commitment_is_done(
    client, journey, clerk, deputy_user
):
    j = replied_with_commitments(client, journey, clerk, f"{iso(today() + 200 * DAY)} 安装路灯")
    first, second = Commitment.objects.order_by("position")
    assert j.s.state == Suggestion.State.CLOSED
    response = post_action(
        client,
        j.s,
        "follow_up",
        {"commitment": first.pk, "followed_on": iso(today()), "percent": 40, "progress": "已完成路基"},
    )
    assert "落实跟踪：已完成。" in messages_shown(response)
    first.refresh_from_db()
    assert (first.percent, first.done_on) == (40, None)

    client.force_login(deputy_user)
    page = section(client.get(detail_url(j.s)), "reply")
    assert "落实进度40%" in page and "已完成路基" in page
    assert Notification.objects.filter(recipient=deputy_user, text__contains="已完成路基").exists()

    client.force_login(clerk)
    for c in (first, second):
        post_action(
            client,
            j.s,
            "follow_up",
            {"commitment": c.pk, "followed_on": iso(today()), "is_done": "on", "progress": "已完工"},
        )
    reply = Reply.objects.get()
    assert reply.commitment_done_on == today() and not reply.commitment_open
    assert set(Commitment.objects.values_list("percent", flat=True)) == {100}


def test_progress_lower_than_reported_is_refused_and_changes_nothing(client, journey, clerk):
    j = replied_with_commitments(client, journey, clerk)
    c = Commitment.objects.get()
    post_action(
        client,
        j.s,
        "follow_up",
        {"commitment": c.pk, "followed_on": iso(today()), "percent": 60, "progress": "过半"},
    )
    response = post_action(
        client,
        j.s,
        "follow_up",
        {"commitment": c.pk, "followed_on": iso(today()), "percent": 30, "progress": "回落"},
    )
    assert "落实进度不能低于上次报告的60%。" in response.content.decode()
    c.refresh_from_db()
    assert c.percent == 60 and c.follow_ups.count() == 1


def run_reminders(day):
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", "--today", day.isoformat(), stdout=out)
    return out.getvalue()


def test_send_reminders_tells_the_unit_and_the_office_once_a_target_passes(client, journey, clerk, office):
    replied_with_commitments(client, journey, clerk)
    c = Commitment.objects.get()
    assert "已发送承诺到期提醒 0 条" in run_reminders(c.due)  # not past yet
    out = run_reminders(c.due + 3 * DAY)
    assert "已发送承诺到期提醒 1 条" in out
    told = Notification.objects.filter(kind="reminder_commitment")
    assert {n.recipient for n in told} >= {clerk, office}
    assert "已到期3天" in told.first().text and "完成道路路面硬化" in told.first().text
    assert "已发送承诺到期提醒 0 条" in run_reminders(c.due + 4 * DAY)  # once per commitment and target
    assert told.count() == told.values("recipient").distinct().count()


def test_the_office_page_lists_open_commitments_by_unit_and_age(client, journey, clerk, office):
    replied_with_commitments(client, journey, clerk)
    Commitment.objects.update(due=today() - 5 * DAY)
    client.force_login(office)
    html = client.get(reverse("suggestions:commitments")).content.decode()
    assert "市交通运输局" in html and "完成道路路面硬化" in html and "5天" in html
    client.force_login(clerk)
    assert client.get(reverse("suggestions:commitments")).status_code == 403


def test_figures_count_commitments_done_by_their_target(client, journey, clerk, office):
    j = replied_with_commitments(client, journey, clerk, f"{iso(today() + 200 * DAY)} 安装路灯")
    first, second = Commitment.objects.order_by("position")
    client.force_login(clerk)
    post_action(
        client,
        j.s,
        "follow_up",
        {"commitment": first.pk, "followed_on": iso(today()), "is_done": "on", "progress": "完工"},
    )
    later = today() + 201 * DAY  # the second's target passed, not done: 1 kept of 2 due
    figures = statistics.summary(Suggestion.objects.all(), today=later)
    assert (figures["commitments_due"], figures["commitments_kept"], figures["commitment_kept_rate"]) == (
        2,
        1,
        0.5,
    )
    row = next(r for r in overview_rows(figures) if r[0] == "承诺事项按期落实率")
    assert (float(row[1]), row[2]) == (0.5, "按期落实的承诺事项 ÷ 到期承诺事项")
    written = report.compose(Suggestion.objects.all(), session=j.s.session, today=later).text()
    assert "承诺事项按期落实率50%（到期承诺事项2项，按期落实1项）" in written
    client.force_login(office)
    dashboard = client.get(reverse("suggestions:dashboard") + "?session=all").content.decode()
    assert "承诺事项按期落实率" in dashboard


def test_a_later_sessions_suggestion_stays_linked_to_the_commitment_it_repeats(
    client, journey, clerk, office, categories, deputies
):
    j = replied_with_commitments(client, journey, clerk)
    c = Commitment.objects.get()
    later_session = CongressSession.objects.create(
        name="第八届人民代表大会第六次会议", year=2026, term=8, meeting=6
    )
    later = workflow.register(
        user=office,
        at=j.step(),
        session=later_session,
        number=3,
        title="关于再次督促农村道路硬化的建议",
        content="去年承诺的道路硬化尚未完成。",
        lead_deputy=deputies["lead"],
        joint_deputies=[],
        category=categories["城建交通"],
    )
    client.force_login(office)
    response = post_action(client, later, "link_commitment", {"commitment": c.pk})
    assert "关联往届承诺：已完成。" in messages_shown(response)
    assert "完成道路路面硬化" in section(response, "repeated-commitments")
    earlier_page = section(client.get(detail_url(j.s)), "reply")
    assert "后续会议重复提出" in earlier_page and "第3号" in earlier_page
    again = post_action(client, later, "link_commitment", {"commitment": c.pk})
    assert c.repeated_by.count() == 1 and again.status_code in (200, 400)


def test_the_link_list_is_bounded_and_any_earlier_commitment_is_still_accepted(
    client, journey, clerk, office, categories, deputies, monkeypatch
):
    """A province holds tens of thousands of earlier commitments: the page offers a few (``SHOWN``), the
    suggestion's own units' and deputies' first; a commitment not offered may still be linked."""
    from suggestions.forms import LinkCommitmentForm

    j = replied_with_commitments(client, journey, clerk)
    c = Commitment.objects.get()
    later_session = CongressSession.objects.create(
        name="第八届人民代表大会第六次会议", year=2026, term=8, meeting=6
    )
    later = workflow.register(
        user=office, at=j.step(), session=later_session, number=3, title="关于再次督促农村道路硬化的建议",
        content="去年承诺的道路硬化尚未完成。", lead_deputy=deputies["other"], joint_deputies=[],
        category=categories["城建交通"],
    )  # fmt: skip
    offered = LinkCommitmentForm(suggestion=later, assignment=None, user=office).fields["commitment"]
    assert [pk for pk, _ in offered.widget.choices] == [c.pk]  # not this deputy's: among the newest others
    monkeypatch.setattr(LinkCommitmentForm, "SHOWN", 0)
    assert (
        LinkCommitmentForm(suggestion=later, assignment=None, user=office).fields["commitment"].widget.choices
        == []
    )
    client.force_login(office)
    response = post_action(client, later, "link_commitment", {"commitment": c.pk})
    assert "关联往届承诺：已完成。" in messages_shown(response)
    assert c.repeated_by.filter(pk=later.pk).exists()
