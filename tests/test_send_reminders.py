"""催办: manage.py send_reminders sends each stage once per assignment and deadline, to the right people."""

import datetime
import logging
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from suggestions import reminders, workflow
from suggestions.models import Assignment, Event, Notification, Reminder, Suggestion, SupervisionNote

from .conftest import make_user

DAY = datetime.timedelta(days=1)


def run(today, *args):
    """The command as the timer runs it: committed, so its emails go out (the immediate task backend)."""
    out, err = StringIO(), StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", "--today", today.isoformat(), *args, stdout=out, stderr=err)
    return out.getvalue()


def reminded():
    """The reminders' notifications (the journey's actions write their own)."""
    return Notification.objects.filter(kind__startswith="reminder_")


def recipients(kind=None):
    notes = reminded()
    if kind:
        notes = notes.filter(kind=kind)
    return sorted(n.recipient.username for n in notes)


def mailed_to():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def emails(clerk, head, co_clerk, office, leader_user):
    """Everyone but the unit head has an email address."""
    for user, address in [
        (clerk, "clerk@example.cn"),
        (co_clerk, "co@example.cn"),
        (office, "office@example.cn"),
        (leader_user, "leader@example.cn"),
    ]:
        user.email = address
        user.save(update_fields=["email"])


@pytest.fixture
def everyone(
    emails, clerk, head, co_clerk, outsider_clerk, office, leader_user, other_leader_user, deputy_user
):
    """All roles exist, so a test can check who did not hear of a reminder."""


def lead_of(journey):
    return journey.s.assignments.get(role="lead")


def co_of(journey):
    return journey.s.assignments.get(role="co")


def test_week_before_goes_to_the_units_staff_and_head(journey, everyone):
    journey.assign(co=False)
    lead = lead_of(journey)
    today = lead.deadline - 7 * DAY

    out = run(today)

    assert recipients("reminder_week_before") == ["clerk", "head"]
    assert mailed_to() == ["clerk@example.cn"]  # the head has no email address
    note = reminded().filter(recipient__username="clerk").get()
    assert note.suggestion == journey.s and note.event is None
    assert note.text.startswith("催办：第1号《关于农村道路提档升级的建议》（市交通运输局主办）")
    assert (
        f"将于{lead.deadline.year}年{lead.deadline.month}月{lead.deadline.day}日到期（还有7天）" in note.text
    )
    assert "请抓紧办理" in note.text and note.emailed_at is not None
    assert mail.outbox[0].subject == f"[建议办理] {note.text}"
    reminder = Reminder.objects.get()
    assert (reminder.assignment, reminder.stage, reminder.deadline) == (lead, "week_before", lead.deadline)
    assert "已发送提前7天提醒 1 条" in out
    assert "已发送到期提醒 0 条" in out and "已发送超期催办 0 条" in out


def test_nothing_before_the_window(journey, everyone):
    journey.assign(co=False)
    out = run(lead_of(journey).deadline - 8 * DAY)
    assert Reminder.objects.count() == 0 and reminded().count() == 0
    assert "已发送提前7天提醒 0 条" in out


def test_the_window_follows_the_setting(journey, everyone, settings):
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "remind_days_before": 10}
    journey.assign(co=False)
    out = run(lead_of(journey).deadline - 10 * DAY)
    assert recipients() == ["clerk", "head"]
    assert "已发送提前10天提醒 1 条" in out
    assert "（还有10天）" in reminded().first().text


def test_due_today_goes_to_unit_staff_and_head(journey, everyone):
    journey.assign(co=False).sign()
    lead = lead_of(journey)
    out = run(lead.deadline)
    assert recipients("reminder_due_today") == ["clerk", "head"]
    assert mailed_to() == ["clerk@example.cn"]
    assert "今天到期" in reminded().first().text
    assert "已发送到期提醒 1 条" in out


def test_overdue_also_reaches_the_office(journey, everyone):
    journey.assign(co=False).sign()
    lead = lead_of(journey)
    out = run(lead.deadline + 3 * DAY)
    assert recipients("reminder_overdue") == ["clerk", "head", "office"]
    assert mailed_to() == ["clerk@example.cn", "office@example.cn"]
    text = reminded().first().text
    assert "已超期3天" in text and "请抓紧办理" in text
    assert "已发送超期催办 1 条" in out


def test_overdue_key_suggestion_reaches_the_supervising_leader(journey, everyone, units, leaders):
    workflow.perform(
        "assign",
        user=journey.office,
        suggestion=journey.s,
        at=journey.at,
        lead_unit=units["transport"],
        is_key=True,
        supervising_leader=leaders["traffic"],
    )
    lead = lead_of(journey)

    run(lead.deadline - 7 * DAY)
    run(lead.deadline)
    assert "leader" not in recipients()  # the leader hears only of the overdue chase

    run(lead.deadline + DAY)
    assert recipients("reminder_overdue") == ["clerk", "head", "leader", "office"]
    assert "leader2" not in recipients()  # another leader's portfolio
    assert "leader@example.cn" in mailed_to()
    note = reminded().get(recipient__username="leader")
    assert note.text.startswith("催办：重点建议第1号") and "已超期1天" in note.text


def test_co_unit_is_chased_against_its_own_deadline(journey, everyone):
    journey.assign(co=True)
    lead, co = lead_of(journey), co_of(journey)
    assert co.deadline < lead.deadline

    out = run(co.deadline)
    assert recipients("reminder_due_today") == ["co_clerk"]
    text = reminded().get().text
    assert "（市财政局协办）协办意见今天到期" in text and "请抓紧报送协办意见" in text
    assert "已发送到期提醒 1 条" in out

    run(co.deadline + 2 * DAY)
    assert recipients("reminder_overdue") == ["co_clerk", "office"]
    assert "协办意见已超期2天" in reminded().get(kind="reminder_overdue", recipient__username="office").text


def test_co_unit_that_sent_its_opinion_is_not_chased(journey, everyone, co_clerk):
    journey.assign(co=True)
    co = co_of(journey)
    workflow.perform("sign_for", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step())
    workflow.perform(
        "send_opinion", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step(), text="同意。"
    )
    run(co.deadline + DAY)
    assert Reminder.objects.count() == 0 and recipients() == []


def test_running_twice_sends_nothing_the_second_time(journey, everyone):
    journey.assign(co=True)
    today = lead_of(journey).deadline + DAY  # lead and co-unit both overdue

    first = run(today)
    notes, sent_mail = reminded().count(), len(mail.outbox)
    second = run(today)

    assert "已发送超期催办 2 条" in first
    assert "已发送超期催办 0 条" in second
    assert reminded().count() == notes and len(mail.outbox) == sent_mail
    assert Reminder.objects.count() == 2
    run(today + DAY)  # the overdue chase is sent once per deadline
    assert Reminder.objects.count() == 2 and reminded().count() == notes


def test_each_stage_once_over_the_days(journey, everyone):
    journey.assign(co=False)
    deadline = lead_of(journey).deadline
    day = deadline - 10 * DAY
    while day <= deadline + 5 * DAY:
        run(day)
        day += DAY
    assert sorted(Reminder.objects.values_list("stage", flat=True)) == ["due_today", "overdue", "week_before"]
    assert reminded().filter(recipient__username="clerk").count() == 3


def test_an_extended_deadline_gets_fresh_reminders(journey, everyone):
    journey.assign(co=False).sign()
    lead = lead_of(journey)
    old = lead.deadline
    run(old - 7 * DAY)
    assert Reminder.objects.filter(deadline=old, stage="week_before").count() == 1

    new = old + datetime.timedelta(days=30)
    workflow.perform(
        "request_extension",
        user=journey.clerk,
        suggestion=journey.s,
        assignment=lead,
        at=journey.step(),
        grounds="需协调资金",
        requested_deadline=new,
    )
    workflow.perform(
        "rule_extension",
        user=journey.office,
        suggestion=journey.s,
        assignment=lead,
        at=journey.step(),
        approve=True,
    )
    lead.refresh_from_db()
    assert lead.deadline == new

    out = run(old + DAY)  # the old deadline has passed, but it is not the deadline any more
    assert "已发送超期催办 0 条" in out
    run(new - 7 * DAY)
    run(new)
    assert sorted(Reminder.objects.values_list("stage", "deadline")) == [
        ("due_today", new),
        ("week_before", old),
        ("week_before", new),
    ]
    assert recipients("reminder_week_before") == ["clerk", "clerk", "head", "head"]


def test_replied_and_submitted_items_get_none(journey, everyone):
    journey.assign(co=True).reply()  # the co-unit never sent its opinion, but the suggestion is replied
    assert journey.s.state == Suggestion.State.REPLIED
    out = run(lead_of(journey).deadline + DAY)
    assert Reminder.objects.count() == 0 and recipients() == [] and mail.outbox == []
    assert "已发送超期催办 0 条" in out


def test_the_offices_review_is_not_the_units_delay(journey, everyone):
    journey.assign(co=False).sign().draft().sign_off().submit()
    assert lead_of(journey).state == Assignment.State.SUBMITTED
    run(lead_of(journey).deadline + DAY)
    assert Reminder.objects.count() == 0 and recipients() == []


def test_closed_and_withdrawn_suggestions_get_none(journey, everyone):
    journey.assign(co=False).reply().rate()
    workflow.perform("close", user=journey.office, suggestion=journey.s, at=journey.step())
    assert journey.s.state == Suggestion.State.CLOSED
    run(lead_of(journey).deadline + DAY)
    assert Reminder.objects.count() == 0


def test_withdrawn_suggestion_gets_none(journey, everyone):
    journey.assign(co=False)
    workflow.perform(
        "withdraw", user=journey.office, suggestion=journey.s, at=journey.step(), reason="代表撤回"
    )
    run(lead_of(journey).deadline)
    assert Reminder.objects.count() == 0


def test_catching_up_sends_only_the_overdue_chase(journey, everyone):
    journey.assign(co=False)
    lead = lead_of(journey)
    out = run(lead.deadline + 10 * DAY)  # the command has not run for weeks
    assert list(Reminder.objects.values_list("stage", flat=True)) == ["overdue"]
    assert set(reminded().values_list("kind", flat=True)) == {"reminder_overdue"}
    assert "已超期10天" in reminded().first().text
    assert "已发送提前7天提醒 0 条" in out and "已发送超期催办 1 条" in out


def test_a_missed_first_day_of_the_window_is_caught_up(journey, everyone):
    journey.assign(co=False)
    run(lead_of(journey).deadline - 3 * DAY)
    assert recipients("reminder_week_before") == ["clerk", "head"]
    assert "（还有3天）" in reminded().first().text


def test_dry_run_writes_nothing(journey, everyone):
    journey.assign(co=True)
    today = lead_of(journey).deadline + DAY
    events = Event.objects.count()

    out = run(today, "--dry-run")

    assert Reminder.objects.count() == 0 and reminded().count() == 0 and mail.outbox == []
    assert Event.objects.count() == events
    assert "试运行" in out
    assert "将发送超期催办 2 条" in out
    assert "[超期催办] 第1号《关于农村道路提档升级的建议》 市交通运输局（主办）" in out
    assert "-> clerk、head、office" in out
    run(today)  # a real run afterwards still sends everything
    assert Reminder.objects.count() == 2


def test_reminders_are_not_events_or_supervision_notes(journey, everyone):
    journey.assign(co=True)
    events = Event.objects.count()
    run(lead_of(journey).deadline + DAY)
    assert reminded().count() > 0
    assert Event.objects.count() == events and SupervisionNote.objects.count() == 0


def test_inactive_users_and_units_without_accounts(journey, everyone, clerk, head, co_clerk):
    journey.assign(co=True)
    co = co_of(journey)
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    co_clerk.delete()
    err = StringIO()
    call_command("send_reminders", "--today", co.deadline.isoformat(), stdout=StringIO(), stderr=err)
    assert "未发送" in err.getvalue() and "市财政局" in err.getvalue()
    assert Reminder.objects.count() == 0  # tried again on the next run, once the unit has an account

    make_user("co_clerk2", "unit_staff", unit=co.unit)
    run(co.deadline)
    assert recipients("reminder_due_today") == ["co_clerk2"]
    run(lead_of(journey).deadline)
    assert recipients("reminder_due_today") == ["co_clerk2", "head"]  # not the inactive clerk


def test_exit_status_and_summary_from_the_command_line(journey, everyone, capsys):
    from django.core.management import ManagementUtility

    journey.assign(co=False)
    today = lead_of(journey).deadline
    ManagementUtility(
        ["manage.py", "send_reminders", "--today", today.isoformat()]
    ).execute()  # no SystemExit
    out = capsys.readouterr().out
    assert out.splitlines()[:3] == ["已发送提前7天提醒 0 条", "已发送到期提醒 1 条", "已发送超期催办 0 条"]
    assert "共生成通知 2 条，待发送邮件 1 封、短信 0 条（由后台任务发送）。" in out

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "send_reminders", "--today", "2025-13-01"]).execute()
    assert exit_info.value.code != 0
    assert "YYYY-MM-DD" in capsys.readouterr().err
    with pytest.raises(CommandError):
        call_command("send_reminders", today="not a date")


def _many(journey, units, count, first_number):
    """``count`` more suggestions, each assigned to a lead and a co-unit, built directly for speed."""
    s = journey.s
    lead_deadline = lead_of(journey).deadline
    new = Suggestion.objects.bulk_create(
        Suggestion(
            session=s.session,
            number=first_number + i,
            title=f"关于第{first_number + i}项工作的建议",
            lead_deputy=s.lead_deputy,
            delegation=s.delegation,
            category=s.category,
            state=Suggestion.State.IN_HANDLING,
            is_key=i % 2 == 0,
            supervising_leader=units["transport"].leader if i % 2 == 0 else None,
        )
        for i in range(count)
    )
    assignments = []
    for i, suggestion in enumerate(new):
        deadline = lead_deadline + datetime.timedelta(days=i % 9 - 4)  # every stage, some not yet due
        for unit, role in [(units["transport"], "lead"), (units["housing" if i % 2 else "finance"], "co")]:
            assignments.append(
                Assignment(
                    suggestion=suggestion,
                    unit=unit,
                    role=role,
                    state="signed",
                    assigned_on=s.assigned_on,
                    deadline=deadline,
                    original_deadline=deadline,
                )
            )
    Assignment.objects.bulk_create(assignments)


def test_a_constant_number_of_queries(journey, everyone, units, django_assert_max_num_queries):
    journey.assign(co=True)
    make_user("housing_clerk", "unit_staff", unit=units["housing"])
    today = lead_of(journey).deadline

    _many(journey, units, 3, 100)
    with CaptureQueriesContext(connection) as few:
        few_outcome = reminders.send_reminders(today)
    Reminder.objects.all().delete()
    Notification.objects.all().delete()

    _many(journey, units, 60, 200)
    with django_assert_max_num_queries(len(few)) as many:
        outcome = reminders.send_reminders(today)
    print(
        f"queries: {len(few)} for {len(few_outcome.planned)} reminders, {len(many)} for {len(outcome.planned)}"
    )
    assert len(outcome.planned) > 100
    assert len(many) <= 10
    with django_assert_max_num_queries(5):  # the second run only looks
        assert reminders.send_reminders(today).planned == []
    with django_assert_max_num_queries(
        4
    ):  # the parts, the reminders sent, their people, commitments past due
        reminders.send_reminders(today + DAY, dry_run=True)


def test_a_run_that_loses_the_race_plans_again(journey, everyone, monkeypatch, caplog):
    """Another run sent the reminders after this run looked: the unique constraint refuses the duplicates."""
    caplog.set_level(logging.INFO, logger="suggestions.reminders")
    journey.assign(co=True)
    today = lead_of(journey).deadline + DAY
    run(today)  # the other run
    notes = reminded().count()

    real = reminders._sent_keys
    calls = []

    def stale_then_real(day):
        calls.append(day)
        return set() if len(calls) == 1 else real(day)

    monkeypatch.setattr(reminders, "_sent_keys", stale_then_real)
    outcome = reminders.send_reminders(today)

    assert len(calls) == 2 and "planning again" in caplog.text
    assert outcome.planned == [] and reminded().count() == notes
    assert Reminder.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_runs_racing(journey, everyone, caplog):
    """Two real runs in parallel (PostgreSQL: both plan, then both insert; one waits and loses)."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises write transactions (BEGIN IMMEDIATE): the runs cannot interleave")
    caplog.set_level(logging.INFO, logger="suggestions.reminders")
    journey.assign(co=True)
    today = lead_of(journey).deadline + DAY
    barrier = threading.Barrier(2, timeout=10)
    real = reminders._sent_keys
    first_look = threading.local()

    def looked(day):
        keys = real(day)
        if not getattr(first_look, "done", False):
            first_look.done = True
            barrier.wait()  # both runs have planned before either inserts
        return keys

    results, errors = [], []

    def worker():
        try:
            results.append(reminders.send_reminders(today))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    original = reminders._sent_keys
    reminders._sent_keys = looked
    try:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        reminders._sent_keys = original

    assert errors == []
    assert "planning again" in caplog.text  # the loser's insert was refused, and it planned again
    assert sorted(len(r.planned) for r in results) == [0, 2]
    assert Reminder.objects.count() == 2
    # lead: clerk, head, office; co-unit: co_clerk, office
    assert recipients("reminder_overdue") == ["clerk", "co_clerk", "head", "office", "office"]


def test_notify_without_an_event(journey, emails, clerk, head):
    from suggestions.notifications import notify

    with TestCase.captureOnCommitCallbacks(execute=True):
        notes = notify(None, [clerk, head], text="催办：测试", kind="reminder_overdue", suggestion=journey.s)
    assert [(n.recipient, n.suggestion, n.event, n.kind) for n in notes] == [
        (clerk, journey.s, None, "reminder_overdue"),
        (head, journey.s, None, "reminder_overdue"),
    ]
    assert mailed_to() == ["clerk@example.cn"]
    assert reminded().get(recipient=clerk).emailed_at is not None
    assert reminded().get(recipient=head).emailed_at is None
    with pytest.raises(ValueError):
        notify(None, [clerk])
