"""A notification says what happened and what to do next, in the words of the person it is for."""

import pytest

from suggestions.models import Notification


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    def run(step):
        Notification.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            step()
        return {
            (n.recipient.username, n.text, n.call) for n in Notification.objects.select_related("recipient")
        }

    return run


def test_a_returned_reply_tells_the_unit_why(journey, told, office):
    journey.assign().sign().draft().sign_off().submit()
    from suggestions import workflow

    notes = told(
        lambda: workflow.perform(
            "review_reply",
            user=office,
            suggestion=journey.s,
            assignment=journey.lead,
            accept=False,
            reason="未逐条答复",
        )
    )
    assert ("clerk", "第1号建议的答复已被退回：未逐条答复", "去修改") in notes
    assert not any(
        user.startswith("deputy") for user, *_ in notes
    )  # a returned letter stays with the government


def test_the_deputy_is_asked_to_rate_once_replied(journey, told, deputy_user):
    journey.assign().sign().draft().sign_off().submit()
    notes = told(journey.accept)
    assert ("deputy", "您的建议《关于农村道路提档升级的建议》已答复，请评价。", "去评价") in notes


def test_an_extension_granted_names_the_new_deadline(journey, told, office):
    import datetime

    from suggestions import workflow

    journey.assign().sign()
    workflow.perform(
        "request_extension",
        user=journey.clerk,
        suggestion=journey.s,
        assignment=journey.lead,
        at=journey.step(),
        grounds="需协调资金",
        requested_deadline=datetime.date(2025, 8, 1),
    )
    notes = told(
        lambda: workflow.perform(
            "rule_extension",
            user=office,
            suggestion=journey.s,
            assignment=journey.lead,
            at=journey.step(),
            approve=True,
        )
    )
    assert ("clerk", "第1号建议的延期申请已同意，新期限2025年8月1日。", "") in notes


def test_the_head_is_asked_to_sign_and_the_office_to_review(journey, told):
    journey.assign().sign()
    assert ("head", "第1号建议的答复已拟好，请审核签发。", "去签发") in told(journey.draft)
    journey.sign_off()
    warning = "提醒：协办单位市财政局尚未报送协办意见，答复未能载明其意见。"
    assert ("office", f"市交通运输局已报送第1号建议的答复，请审核。{warning}", "去审核") in told(
        journey.submit
    )
