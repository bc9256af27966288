"""重点建议顺序: the office decides in which order the handling report lists the key suggestions, when it marks
them (registration, edit, assignment) or later with 重点建议排序, a closed session's included."""

import pytest

from suggestions import report, workflow
from suggestions.models import Event, Suggestion
from tests.conftest import AT
from tests.view_helpers import buttons, post_action
from tests.workflow_helpers import refused

pytestmark = pytest.mark.django_db


def key_order(suggestion):
    return Suggestion.objects.values_list("key_order", flat=True).get(pk=suggestion.pk)


@pytest.fixture
def key(journey, office, leaders):
    workflow.perform(
        "edit", user=office, suggestion=journey.s, at=AT, is_key=True, supervising_leader=leaders["traffic"]
    )
    return journey


def test_the_office_sets_the_place_when_it_marks_a_key_suggestion_on_assigning(
    journey, office, units, leaders
):
    workflow.perform(
        "assign",
        user=office,
        suggestion=journey.s,
        at=AT,
        lead_unit=units["transport"],
        is_key=True,
        supervising_leader=leaders["traffic"],
        key_order=2,
    )
    assert key_order(journey.s) == 2


def test_order_key_is_refused_on_a_suggestion_that_is_not_key(journey, office):
    assert refused("order_key", user=office, suggestion=journey.s, key_order=1) == "只有重点建议才能排序。"


def test_a_place_out_of_range_is_refused_and_changes_nothing(key, office):
    message = refused("order_key", user=office, suggestion=key.s, key_order=0)
    assert message == "重点建议顺序应为1到999之间的整数。"
    assert key_order(key.s) is None


def test_a_suggestion_no_longer_key_drops_its_place(key, office):
    workflow.perform("edit", user=office, suggestion=key.s, key_order=3)
    assert key_order(key.s) == 3
    workflow.perform("edit", user=office, suggestion=key.s, is_key=False)
    assert key_order(key.s) is None


def test_the_report_lists_key_suggestions_by_the_office_s_order_then_by_number(key, office, leaders, session):
    others = []
    for number, title in ((2, "关于增设公交站点的建议"), (3, "关于新建城区小学的建议")):
        others.append(
            workflow.register(
                user=office,
                at=AT,
                session=session,
                number=number,
                title=title,
                lead_deputy=key.s.lead_deputy,
                category=key.s.category,
                is_key=True,
                supervising_leader=leaders["traffic"],
            )
        )
    workflow.perform("order_key", user=office, suggestion=others[1], key_order=1)
    listed = report.key_suggestions(Suggestion.objects.filter(session=session))
    assert [s.number for s in listed] == [3, 1, 2]  # placed first, then the rest by number


def test_the_office_reorders_a_closed_key_suggestion_from_its_page(client, key, office):
    key.assign().reply().rate(3)
    workflow.perform("close", user=office, suggestion=key.s, at=key.step())
    client.force_login(office)
    page = client.get(f"/suggestions/{key.s.pk}/")
    assert "order_key" in buttons(page)
    response = post_action(client, key.s, "order_key", {"key_order": "4"})
    assert "重点建议排序：已完成。" in response.content.decode()
    assert key_order(key.s) == 4
    assert Event.objects.filter(suggestion=key.s).latest("id").note == "重点建议顺序：第4项"


def test_a_bad_place_from_the_page_says_why_and_changes_nothing(client, key, office):
    client.force_login(office)
    response = post_action(client, key.s, "order_key", {"key_order": "1000"})
    assert "重点建议顺序应为1到999之间的整数。" in response.content.decode()
    assert key_order(key.s) is None
