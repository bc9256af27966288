"""消息发送: notifications go out as emails and text messages from a background task, never inside the request;
a failed send is retried, then shown to the office as 发送失败, and 重试 sends it again."""

import datetime
import logging
import os
import subprocess
import sys
import threading
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from suggestions import deliveries, workflow
from suggestions.models import Delivery, Event, Notification, Suggestion
from suggestions.notifications import notify
from tests.conftest import make_user
from tests.mail_doubles import DATABASE_TASKS, FAILING_MAIL, LOCMEM_MAIL, SLOW_MAIL, FailingEmailBackend
from tests.view_helpers import iso, messages_shown, post_action, text, today

State = Delivery.State
LIST = reverse("suggestions:deliveries")
RETRY_FAILED = reverse("suggestions:delivery_retry_failed")


def retry_url(delivery):
    return reverse("suggestions:delivery_retry", args=[delivery.pk])


@pytest.fixture
def reachable(clerk, head):
    """The transport bureau's clerk has an email address and a mobile number; its head neither."""
    clerk.email, clerk.phone = "clerk@jtj.example.cn", "13903570001"
    clerk.save(update_fields=["email", "phone"])
    return clerk


@pytest.fixture
def failing_mail(settings):
    settings.MAILERS = FAILING_MAIL
    FailingEmailBackend.tries = 0
    return FailingEmailBackend


def assign_form(units):
    return {
        "mode": "lead",
        "lead_unit": units["transport"].pk,
        "assigned_on": iso(today()),
        "months": "3",
    }


def sent_deliveries():
    return list(Delivery.objects.order_by("channel").values_list("channel", "address", "state", "attempts"))


# --- what goes out, and to whom --------------------------------------------------------------------------------


def test_an_action_sends_an_email_and_a_text_message_after_it_commits(
    journey, reachable, co_clerk, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="suggestions.sms")
    with django_capture_on_commit_callbacks(execute=True):
        journey.assign()
    assert sent_deliveries() == [
        ("email", "clerk@jtj.example.cn", State.SENT, 1),
        ("sms", "13903570001", State.SENT, 1),
    ]  # the head and the co-unit have neither an address nor a number: notified in the app only
    assert [m.to for m in mailoutbox] == [["clerk@jtj.example.cn"]]
    assert mailoutbox[0].subject == "[建议办理] 第1号建议已交你单位主办，办理期限2025年6月3日。"
    sms = [r.getMessage() for r in caplog.records if r.name == "suggestions.sms"]
    assert sms == [
        "短信 -> 13903570001：【建议办理】第1号建议已交你单位主办，办理期限2025年6月3日。请登录建议办理系统查看。"
    ]
    note = Notification.objects.get(recipient=reachable)
    assert note.emailed_at is not None and Delivery.objects.filter(notification=note).count() == 2


def test_a_deputy_is_texted_at_the_deputy_records_number_and_one_without_a_number_is_not(
    journey, deputy_user, joint_deputy_user, deputies, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO, logger="suggestions.sms")
    deputies["lead"].phone = "13803571234"
    deputies["lead"].save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        journey.assign().reply()  # the accepted reply is sent to the deputies on the suggestion
    texted = Delivery.objects.filter(channel=Delivery.Channel.SMS, notification__recipient__role="deputy")
    assert list(texted.values_list("notification__recipient__username", "address", "state")) == [
        ("deputy", "13803571234", State.SENT)
    ]
    assert Notification.objects.filter(recipient=joint_deputy_user).exists()  # told in the app all the same
    assert any("13803571234" in r.getMessage() and "请评价" in r.getMessage() for r in caplog.records)


def test_an_account_number_comes_before_the_deputy_records(journey, deputy_user, deputies):
    deputies["lead"].phone = "13803571234"
    deputies["lead"].save(update_fields=["phone"])
    deputy_user.phone = "13512345678"
    assert deliveries.addresses(deputy_user) == [("sms", "13512345678")]


def test_the_demo_sends_nothing_to_its_invented_people(journey, reachable, deputies):
    with deliveries.held():
        notify(None, [reachable], text="演示", suggestion=journey.s)
    assert Notification.objects.filter(text="演示").exists() and not Delivery.objects.exists()


# --- never inside the request ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_request_only_queues_and_the_worker_sends(
    client, registered, office, units, reachable, settings, mailoutbox
):
    settings.TASKS = DATABASE_TASKS
    client.force_login(office)
    response = post_action(client, registered, "assign", assign_form(units))
    assert response.status_code == 200
    assert Suggestion.objects.get(pk=registered.pk).state == Suggestion.State.ASSIGNED
    assert mailoutbox == []  # nothing was sent while the office waited for the page
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.PENDING}
    task = DBTaskResult.objects.get()
    assert task.task_path == "suggestions.tasks.send_deliveries" and task.status == "READY"

    call_command("db_worker", "--batch", "--queue-name", "default")

    assert [m.to for m in mailoutbox] == [["clerk@jtj.example.cn"]]
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.SENT}
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_the_worker_as_its_own_process_sends_what_the_app_queued(
    registered, office, units, reachable, settings
):
    if connection.vendor == "sqlite":
        pytest.skip("the test database lives in this process's memory on SQLite; CI runs this on PostgreSQL")
    settings.TASKS = DATABASE_TASKS
    workflow.perform("assign", user=office, suggestion=registered, lead_unit=units["transport"])
    assert Delivery.objects.filter(state=State.PENDING).count() == 2
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == 0, worker.stderr
    assert "To: clerk@jtj.example.cn" in worker.stdout  # the console mail backend printed the email
    assert "13903570001" in worker.stderr  # the logging SMS backend wrote the text to the log
    assert set(Delivery.objects.values_list("state", flat=True)) == {State.SENT}


# --- failures: the action stays, the send is retried, then shown --------------------------------------------------


def test_a_failing_mail_server_leaves_the_action_done_and_retries_then_gives_up(
    journey, reachable, failing_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        journey.assign()
    assert journey.s.state == Suggestion.State.ASSIGNED and Event.objects.filter(action="assign").exists()
    email = Delivery.objects.get(channel=Delivery.Channel.EMAIL)
    assert (email.state, email.attempts, email.sent_at) == (State.FAILED, 3, None)
    assert email.last_error == "SMTPException: 邮件服务器拒绝连接"
    assert failing_mail.tries == 3
    assert Notification.objects.get(recipient=reachable).emailed_at is None
    assert Delivery.objects.get(channel=Delivery.Channel.SMS).state == State.SENT  # the other channel went


@pytest.mark.django_db(transaction=True)
def test_a_failed_attempt_waits_for_its_retry_in_the_queue(registered, office, units, reachable, settings):
    settings.TASKS = DATABASE_TASKS
    settings.MAILERS = FAILING_MAIL
    settings.DELIVERY_RETRY_DELAYS = [600, 3600]
    workflow.perform("assign", user=office, suggestion=registered, lead_unit=units["transport"])
    before = timezone.now()
    call_command("db_worker", "--batch")
    email = Delivery.objects.get(channel=Delivery.Channel.EMAIL)
    assert (email.state, email.attempts) == (State.PENDING, 1)
    assert (
        before + datetime.timedelta(seconds=590)
        < email.next_attempt_at
        < timezone.now() + datetime.timedelta(seconds=610)
    )
    retry = DBTaskResult.objects.get(status="READY")
    assert (
        retry.args_kwargs == {"args": [[email.pk]], "kwargs": {}} and retry.run_after == email.next_attempt_at
    )
    call_command("db_worker", "--batch")  # ten minutes have not passed: the retry waits
    assert Delivery.objects.get(pk=email.pk).attempts == 1


def test_a_text_message_gateway_that_is_down_is_recorded_the_same_way(
    journey, reachable, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.mail_doubles.FailingSmsBackend"
    with django_capture_on_commit_callbacks(execute=True):
        journey.assign()
    sms = Delivery.objects.get(channel=Delivery.Channel.SMS)
    assert (sms.state, sms.attempts, sms.last_error) == (State.FAILED, 3, "SmsError: 短信网关无响应")


def test_a_failure_while_queueing_leaves_the_database_as_it_was(journey, reachable, monkeypatch):
    def broken(notes):
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(deliveries, "queue", broken)
    with pytest.raises(RuntimeError):
        journey.assign()
    assert Suggestion.objects.get(pk=journey.s.pk).state == Suggestion.State.REGISTERED
    assert not Event.objects.filter(action="assign").exists()
    assert not Notification.objects.exists() and not Delivery.objects.exists()


# --- the office's page ----------------------------------------------------------------------------------------


@pytest.fixture
def failed(journey, reachable, failing_mail, django_capture_on_commit_callbacks):
    """The assignment's email to the clerk failed three times; its text message went."""
    with django_capture_on_commit_callbacks(execute=True):
        journey.assign()
    return Delivery.objects.get(channel=Delivery.Channel.EMAIL)


def test_the_office_sees_the_failed_send_with_its_error(client, office, failed):
    client.force_login(office)
    page = text(client.get(LIST, {"state": "failed"}))
    assert "clerk@jtj.example.cn" in page and "SMTPException: 邮件服务器拒绝连接" in page
    assert "发送失败" in page and "13903570001" not in page  # the sent text message is not a failure
    assert f'action="{retry_url(failed)}"' in page and "全部重试（1条发送失败）" in page
    everything = text(client.get(LIST))
    assert "13903570001" in everything and f'action="{retry_url(failed)}"' in everything


def test_the_office_home_counts_the_failures(client, office, failed):
    client.force_login(office)
    home = text(client.get(reverse("suggestions:home")))
    assert "有1条邮件或短信发送失败" in home and f"{LIST}?state=failed" in home


def test_retry_sends_it_again(
    client, office, failed, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAILERS = LOCMEM_MAIL  # the relay is back
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url(failed), {"state": "failed"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{LIST}?state=failed"
    assert messages_shown(response) == ["已重新发送给clerk@jtj.example.cn的邮件。"]
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (State.SENT, 1)
    assert [m.to for m in mailoutbox] == [["clerk@jtj.example.cn"]]
    assert "没有这一状态的消息" in text(response)


def test_retry_all_failed(
    client, office, failed, journey, settings, mailoutbox, django_capture_on_commit_callbacks
):
    other = make_user("office_b", "office", email="office_b@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        notify(None, [other], text="催办：测试", suggestion=journey.s)
    assert Delivery.objects.filter(state=State.FAILED).count() == 2
    settings.MAILERS = LOCMEM_MAIL
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RETRY_FAILED, follow=True)
    assert messages_shown(response) == ["已重新发送2条发送失败的消息。"]
    assert sorted(m.to[0] for m in mailoutbox) == ["clerk@jtj.example.cn", "office_b@example.cn"]
    assert not Delivery.objects.exclude(state=State.SENT).exists()


def test_retrying_what_did_not_fail_changes_nothing(client, office, failed):
    sms = Delivery.objects.get(channel=Delivery.Channel.SMS)
    client.force_login(office)
    response = client.post(retry_url(sms), follow=True)
    assert messages_shown(response) == ["这条消息不是「发送失败」状态，无需重试。"]
    sms.refresh_from_db()
    assert (sms.state, sms.attempts) == (State.SENT, 1)
    assert client.post(reverse("suggestions:delivery_retry", args=[10**9])).status_code == 404


@pytest.mark.parametrize("who", ["clerk", "head", "deputy_user", "leader_user", "congress"])
def test_only_the_office_sees_the_page_or_retries(client, request, who, failed):
    client.force_login(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    assert client.post(retry_url(failed)).status_code == 403
    assert client.post(RETRY_FAILED).status_code == 403
    assert Delivery.objects.get(pk=failed.pk).state == State.FAILED
    assert "消息发送" not in text(client.get(reverse("suggestions:home")))


def test_anonymous_is_sent_to_log_in_and_retry_is_post_only(client, office, failed):
    assert client.get(LIST).status_code == 302
    assert client.post(retry_url(failed)).status_code == 302
    client.force_login(office)
    assert client.get(retry_url(failed)).status_code == 405
    assert client.get(RETRY_FAILED).status_code == 405
    assert client.post(LIST).status_code == 405
    assert Delivery.objects.get(pk=failed.pk).state == State.FAILED


def test_the_menu_shows_the_page_to_the_office(client, office):
    client.force_login(office)
    assert f'href="{LIST}">消息发送</a>' in text(client.get(reverse("suggestions:home")))


def test_the_page_takes_the_same_queries_for_three_rows_or_thirty(
    client, office, journey, django_capture_on_commit_callbacks, django_assert_num_queries
):
    people = [
        make_user(f"p{i}", "office", email=f"p{i}@example.cn", phone=f"1390000{i:04d}") for i in range(15)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        notify(None, people[:2], text="催办：少", suggestion=journey.s)
    client.force_login(office)
    # session, user, the counts by state, the page's count, its rows, the unread count in the header, and the
    # session written back to renew its idle timeout (SESSION_SAVE_EVERY_REQUEST: savepoint, update, release)
    with django_assert_num_queries(9):
        few = client.get(LIST)
    with django_capture_on_commit_callbacks(execute=True):
        notify(None, people, text="催办：多", suggestion=journey.s)
    with django_assert_num_queries(9):
        many = client.get(LIST)
    assert text(few).count("data-delivery=") == 4 and text(many).count("data-delivery=") == 34
    assert "p14@example.cn" in text(many) and "13900000014" in text(many)


# --- the daily reminders and lost tasks ---------------------------------------------------------------------------


def test_reminders_go_out_through_the_same_queue(journey, reachable, settings, mailoutbox):
    journey.assign(co=False)
    deadline = journey.lead.deadline
    settings.TASKS = DATABASE_TASKS
    with TestCase.captureOnCommitCallbacks(execute=True):
        out = StringIO()
        call_command("send_reminders", "--today", iso(deadline), stdout=out)
    assert "共生成通知 2 条，待发送邮件 1 封、短信 1 条（由后台任务发送）。" in out.getvalue()
    reminder_sends = Delivery.objects.filter(notification__kind="reminder_due_today")
    assert sorted(reminder_sends.values_list("channel", "state")) == [
        ("email", "pending"),
        ("sms", "pending"),
    ]
    assert (
        mailoutbox == []
        and DBTaskResult.objects.filter(task_path="suggestions.tasks.send_deliveries").exists()
    )
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    deliveries.attempt(reminder_sends.get(channel="email").pk)  # what the worker does with the task
    assert mailoutbox[0].subject.startswith("[建议办理] 催办：第1号《关于农村道路提档升级的建议》")


def test_a_delivery_whose_task_was_lost_is_queued_again(journey, reachable, settings, mailoutbox):
    settings.TASKS = DATABASE_TASKS
    with TestCase.captureOnCommitCallbacks(execute=True):
        journey.assign()
    DBTaskResult.objects.all().delete()  # the worker was killed with the task in hand
    stale = Delivery.objects.get(channel=Delivery.Channel.EMAIL)
    Delivery.objects.filter(pk=stale.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(hours=1))
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    out = StringIO()
    call_command("requeue_deliveries", stdout=out)
    assert out.getvalue() == "重新排队待发送消息 1 条。\n"
    assert Delivery.objects.get(pk=stale.pk).state == State.SENT and len(mailoutbox) == 1
    assert (
        Delivery.objects.get(channel=Delivery.Channel.SMS).state == State.PENDING
    )  # not late yet: its task may run


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite has one writer"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_with_the_same_delivery_send_it_once(registered, office, units, reachable, settings):
    settings.TASKS = DATABASE_TASKS
    workflow.perform("assign", user=office, suggestion=registered, lead_unit=units["transport"])
    email = Delivery.objects.get(channel=Delivery.Channel.EMAIL)
    settings.MAILERS = SLOW_MAIL
    mail.outbox = []
    barrier = threading.Barrier(2)
    outcomes = []

    def work():
        try:
            barrier.wait()
            outcomes.append(deliveries.attempt(email.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes, key=str) == [None, State.SENT]  # the second found it sent and left it
    assert len(mail.outbox) == 1
    assert Delivery.objects.get(pk=email.pk).attempts == 1


def test_a_line_break_in_the_text_does_not_break_the_email_header(journey, reachable, mailoutbox):
    with TestCase.captureOnCommitCallbacks(execute=True):
        notify(None, [reachable], text="催办通知\r\n第1号", suggestion=journey.s)
    assert mailoutbox[0].subject == "[建议办理] 催办通知 第1号"
    assert Delivery.objects.get(channel=Delivery.Channel.EMAIL).state == State.SENT
