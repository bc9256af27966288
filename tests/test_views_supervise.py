"""督办 / 催办 from the suggestion's page: the form preselects no method (the office says how it supervised) and
may set the date by which the unit must be done; the workflow refuses a date in the past, and the date shows in
the timeline, in the note and in the 督办通知单."""

import datetime

import pytest

from suggestions import workflow
from suggestions.models import SupervisionNote
from tests.view_helpers import dated_today, field_errors, iso, post_action, section, timeline, today

pytestmark = pytest.mark.django_db

MODAL = "action-supervise-s"


@pytest.fixture
def handled(journey):
    dated_today(journey).assign().sign()
    return journey.s


def test_the_form_makes_the_office_choose_the_method(client, handled, office):
    client.force_login(office)
    modal = section(client.get(f"/suggestions/{handled.pk}/"), MODAL)
    select = modal[modal.index('name="method"') : modal.index("</select>", modal.index('name="method"'))]
    assert '<option value="" selected>请选择</option>' in select
    assert select.count("selected") == 1  # no method is chosen for the office
    assert 'name="due_on"' in modal and "要求办结时间" in modal
    assert f'min="{iso(today())}"' in modal


def test_without_a_method_nothing_is_recorded_and_the_field_says_why(client, handled, office):
    client.force_login(office)
    response = post_action(client, handled, "supervise", {"kind": "supervise", "text": "请加快办理。"})
    assert response.status_code == 400
    assert field_errors(response, MODAL, "method") == ["请选择督办方式。"]
    assert not SupervisionNote.objects.exists()


def test_a_date_in_the_past_is_refused_beside_the_field(client, handled, office):
    client.force_login(office)
    yesterday = today() - datetime.timedelta(days=1)
    data = {"kind": "supervise", "method": "phone", "text": "请加快办理。", "due_on": iso(yesterday)}
    response = post_action(client, handled, "supervise", data)
    assert response.status_code == 400
    assert field_errors(response, MODAL, "due_on") == ["要求办结时间不能早于今天。"]
    assert not SupervisionNote.objects.exists()


def test_the_date_is_kept_and_shown_in_the_timeline_and_the_note(client, handled, office):
    client.force_login(office)
    due = today() + datetime.timedelta(days=20)
    data = {"kind": "chase", "method": "document", "text": "请尽快答复代表。", "due_on": iso(due)}
    response = post_action(client, handled, "supervise", data)
    assert response.status_code == 200
    note = SupervisionNote.objects.get()
    assert (note.kind, note.method, note.due_on) == ("chase", "document", due)
    label = f"要求{due.year}年{due.month}月{due.day}日前办结"
    assert note.due_label == label and label in str(note)
    assert f"催办（书面）：请尽快答复代表。（{label}）" in timeline(response)


def test_without_a_date_the_note_says_nothing_of_one(client, handled, office):
    client.force_login(office)
    data = {"kind": "supervise", "method": "site", "text": "实地督查。"}
    response = post_action(client, handled, "supervise", data)
    note = SupervisionNote.objects.get()
    assert note.due_on is None and note.due_label == ""
    assert "前办结" not in timeline(response)


def test_the_workflow_refuses_a_past_date_whoever_calls(handled, office):
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.perform(
            "supervise", user=office, suggestion=handled, kind="supervise", method="phone", text="督办",
            due_on=today() - datetime.timedelta(days=1),
        )  # fmt: skip
    assert (refused.value.field, refused.value.message) == ("due_on", "要求办结时间不能早于今天。")
    assert not SupervisionNote.objects.exists()
    workflow.perform("supervise", user=office, suggestion=handled, kind="supervise", method="phone",
                     text="督办", due_on=today())  # fmt: skip
    assert SupervisionNote.objects.get().due_on == today()
