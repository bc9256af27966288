"""Who hears of what: in-app notifications with the action, and an email when there is an address (sent after the
commit; the sending itself is tests/test_deliveries.py)."""

import pytest

from suggestions import workflow
from suggestions.models import Event, Notification, Suggestion
from tests.conftest import make_user


def recipients():
    """Who heard of the last action (the steps before it notified their own people)."""
    last = Event.objects.order_by("-created_at", "-id").first()
    return set(Notification.objects.filter(event=last).values_list("recipient__username", flat=True))


@pytest.fixture
def everyone(
    office,
    clerk,
    head,
    co_clerk,
    outsider_clerk,
    deputy_user,
    joint_deputy_user,
    other_deputy_user,
    leader_user,
):
    """Every kind of person exists, so a notification that goes to the wrong one shows."""
    return make_user("office2", "office")


def test_assignment_notifies_every_assigned_unit_and_nobody_else(
    journey, everyone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = journey.assign().s.events.get(action="assign")
    assert recipients() == {"clerk", "head", "co_clerk"}  # not the office that assigned, not the deputies
    note = Notification.objects.filter(recipient__username="clerk").get()
    assert (note.event, note.suggestion, note.kind) == (event, journey.s, "assign")
    assert note.text == "第1号建议已交你单位主办，办理期限2025年6月3日。"
    assert note.call == "去签收"
    co_note = Notification.objects.get(recipient__username="co_clerk")
    assert co_note.text == "第1号建议已交你单位协办，协办意见请于2025年4月3日前报送主办单位。"
    assert note.read_at is None


def test_notifications_are_written_with_the_action_and_mail_waits_for_the_commit(
    journey, everyone, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    clerk.email = "clerk@jtj.example.cn"
    clerk.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        journey.assign()
        assert recipients() == {"clerk", "head", "co_clerk"}  # inside the action's transaction
    assert len(callbacks) == 1  # the sending task, asked for once the action has committed
    assert mailoutbox == []


def test_a_refused_action_notifies_nobody(
    journey, everyone, office, units, django_capture_on_commit_callbacks
):
    journey.assign()
    before = Notification.objects.count()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(workflow.WorkflowError),
    ):
        workflow.perform("assign", user=office, suggestion=journey.s, lead_unit=units["health"])
    assert callbacks == []
    assert Notification.objects.count() == before


def test_emails_go_to_the_people_with_an_address(
    journey, everyone, clerk, co_clerk, mailoutbox, django_capture_on_commit_callbacks
):
    clerk.email = "clerk@jtj.example.cn"
    clerk.save()
    with django_capture_on_commit_callbacks(execute=True):
        journey.assign()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["clerk@jtj.example.cn"]
    assert mail.subject == "[建议办理] 第1号建议已交你单位主办，办理期限2025年6月3日。"
    assert "《关于农村道路提档升级的建议》" in mail.body
    assert "主办：市交通运输局；协办：市财政局" in mail.body
    assert Notification.objects.get(recipient=clerk).emailed_at is not None
    assert Notification.objects.get(recipient=co_clerk).emailed_at is None


def test_inactive_people_are_not_notified(journey, everyone, co_clerk, django_capture_on_commit_callbacks):
    co_clerk.is_active = False
    co_clerk.save()
    with django_capture_on_commit_callbacks(execute=True):
        journey.assign()
    assert recipients() == {"clerk", "head"}


def test_co_unit_opinion_notifies_the_lead_unit(
    journey, everyone, co_clerk, django_capture_on_commit_callbacks
):
    journey.assign()
    co = journey.s.assignments.get(role="co")
    workflow.perform("sign_for", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step())
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(
            "send_opinion", user=co_clerk, suggestion=journey.s, assignment=co, at=journey.step(), text="同意"
        )
    assert recipients() == {"clerk", "head"}


def test_a_draft_goes_to_the_unit_head_for_signature(journey, everyone, django_capture_on_commit_callbacks):
    journey.assign().sign()
    with django_capture_on_commit_callbacks(execute=True):
        journey.draft()
    assert recipients() == {"head"}


def test_the_signed_reply_is_announced_to_the_unit_staff(
    journey, everyone, django_capture_on_commit_callbacks
):
    journey.assign().sign().draft()
    with django_capture_on_commit_callbacks(execute=True):
        journey.sign_off()
    assert recipients() == {"clerk"}  # the head who signed is not told what they did


def test_a_submitted_reply_goes_to_the_office(journey, everyone, django_capture_on_commit_callbacks):
    journey.assign().sign().draft().sign_off()
    with django_capture_on_commit_callbacks(execute=True):
        journey.submit()
    assert recipients() == {"office", "office2"}


def test_an_accepted_reply_is_sent_to_every_deputy_on_the_suggestion(
    journey, everyone, deputy_user, mailoutbox, django_capture_on_commit_callbacks
):
    deputy_user.email = "zhao@example.cn"
    deputy_user.save()
    journey.assign().sign().draft().sign_off().submit()
    with django_capture_on_commit_callbacks(execute=True):
        journey.accept()
    assert recipients() == {"deputy", "deputy_joint"}
    assert [m.to for m in mailoutbox] == [["zhao@example.cn"]]


def test_a_returned_reply_goes_back_to_the_unit(
    journey, everyone, office, django_capture_on_commit_callbacks
):
    journey.assign().sign().draft().sign_off().submit()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(
            "review_reply",
            user=office,
            suggestion=journey.s,
            assignment=journey.lead,
            at=journey.step(),
            reason="重写",
        )
    assert recipients() == {"clerk", "head"}


def test_an_unsatisfied_rating_alerts_the_office_and_the_lead_unit(
    journey, everyone, django_capture_on_commit_callbacks
):
    journey.assign().reply()
    with django_capture_on_commit_callbacks(execute=True):
        journey.rate(1)
    assert recipients() == {"office", "office2", "clerk", "head"}


def test_closing_tells_the_deputies_and_the_units(
    journey, everyone, office, django_capture_on_commit_callbacks
):
    journey.assign().reply().rate(3)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform("close", user=office, suggestion=journey.s, at=journey.step())
    assert recipients() == {"deputy", "deputy_joint", "clerk", "head", "co_clerk"}


def test_a_leaders_comment_reaches_the_office_and_the_units(
    journey, everyone, leader_user, django_capture_on_commit_callbacks
):
    journey.assign()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(
            "comment", user=leader_user, suggestion=journey.s, at=journey.step(), text="抓紧办理"
        )
    assert recipients() == {"office", "office2", "clerk", "head", "co_clerk"}


def test_requests_reach_the_office_and_rulings_the_unit(
    journey, everyone, clerk, office, django_capture_on_commit_callbacks
):
    journey.assign()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(
            "request_reassignment",
            user=clerk,
            suggestion=journey.s,
            assignment=journey.lead,
            at=journey.step(),
            reason="非本单位",
        )
    assert recipients() == {"office", "office2"}
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.perform(
            "rule_reassignment",
            user=office,
            suggestion=journey.s,
            assignment=journey.lead,
            at=journey.step(),
            note="不同意",
        )
    assert recipients() == {"clerk", "head"}


def test_a_failing_notification_undoes_the_action(journey, everyone, monkeypatch):
    """The action and its notifications are one transaction: nothing is half done."""

    def broken(*args, **kwargs):
        raise ValueError("bad header")

    monkeypatch.setattr(workflow, "notify", broken)
    with pytest.raises(ValueError):
        journey.assign()
    assert Suggestion.objects.get(pk=journey.s.pk).state == Suggestion.State.REGISTERED
    assert not Event.objects.filter(action="assign").exists() and not Notification.objects.exists()
