"""A double click, or the same form sent five times at once, records one contact (or one follow-up, one
supervision note, one comment): the first is kept, the others get a message. Five threads at once on
PostgreSQL; one after another on SQLite too."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from suggestions import workflow
from suggestions.models import ContactRecord, Event, SupervisionNote
from tests.view_helpers import act_url, iso, messages_shown, today

pytestmark = pytest.mark.django_db

REPEATED = "同样的沟通记录刚刚已经保存（可能是重复提交），未再次记录。"


def contact_form(**changes):
    data = {
        "method": ContactRecord.Method.values[0],
        "contacted_on": iso(today()),
        "participants": "周敏",
        "summary": "电话沟通了办理思路。",
    }
    data.update(changes)
    return data


def post_contact(client, journey, data):
    response = client.post(act_url(journey.s, "log_contact", journey.lead), data, follow=True)
    return messages_shown(response)


@pytest.fixture
def signed(journey):
    return journey.assign().sign()


def test_the_same_contact_posted_five_times_is_recorded_once(client, signed):
    client.force_login(signed.clerk)
    shown = [post_contact(client, signed, contact_form()) for _ in range(5)]
    assert shown == [["记录沟通：已完成。"]] + [[REPEATED]] * 4
    assert ContactRecord.objects.count() == 1
    assert Event.objects.filter(action="log_contact").count() == 1


def test_a_different_contact_right_after_is_recorded(client, signed):
    client.force_login(signed.clerk)
    post_contact(client, signed, contact_form())
    post_contact(client, signed, contact_form(summary="面商了资金安排。"))
    assert ContactRecord.objects.count() == 2


def test_the_same_contact_a_while_later_is_recorded_again(signed):
    first = signed.step(0)
    data = dict(
        method=ContactRecord.Method.values[0],
        contacted_on=timezone.localdate(first),
        participants="周敏",
        summary="同上",
    )
    workflow.perform(
        "log_contact", user=signed.clerk, suggestion=signed.s, assignment=signed.lead, at=first, **data
    )
    later = first + workflow.base.REPEAT_WINDOW * 2
    workflow.perform(
        "log_contact", user=signed.clerk, suggestion=signed.s, assignment=signed.lead, at=later, **data
    )
    assert ContactRecord.objects.count() == 2


def test_the_same_supervision_note_twice_is_kept_once(signed):
    at = signed.step()
    data = dict(kind=SupervisionNote.Kind.SUPERVISE, text="请加快办理。")
    workflow.perform("supervise", user=signed.office, suggestion=signed.s, at=at, **data)
    with pytest.raises(workflow.WorkflowError) as caught:
        workflow.perform("supervise", user=signed.office, suggestion=signed.s, at=at, **data)
    assert caught.value.message == "同样的督办记录刚刚已经保存（可能是重复提交），未再次记录。"
    assert SupervisionNote.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_five_identical_contact_posts_at_the_same_moment_record_one(signed):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row lock is exercised on PostgreSQL")
    start = threading.Barrier(5)
    shown = []

    def post():
        person = Client()
        person.force_login(signed.clerk)
        start.wait()
        try:
            shown.append(post_contact(person, signed, contact_form()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(m for ms in shown for m in ms) == sorted(["记录沟通：已完成。"] + [REPEATED] * 4)
    assert ContactRecord.objects.count() == 1
    assert Event.objects.filter(action="log_contact").count() == 1
