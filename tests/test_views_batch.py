"""批量办理 on the list: the office ticks rows and assigns, chases or closes them; each goes through the workflow
on its own, and the message says what was done and what was refused and why."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import workflow
from suggestions.batch import MAX_BATCH, run_batch
from suggestions.models import Assignment, Suggestion, SupervisionNote
from tests.conftest import AT, Journey
from tests.view_helpers import dated_today, messages_shown, state_of, text
from tests.workflow_helpers import snapshot

pytestmark = pytest.mark.django_db

LIST = reverse("suggestions:list")
BATCH = reverse("suggestions:batch")
S = Suggestion.State


def register(office, session, categories, deputies, number):
    return workflow.register(
        user=office, at=AT, session=session, number=number, title=f"关于第{number}件事的建议",
        lead_deputy=deputies["other"], category=categories["社会民生"],
    )  # fmt: skip


@pytest.fixture
def make(office, session, categories, deputies):
    return lambda number: register(office, session, categories, deputies, number)


def why_not(name, user, suggestion):
    """The workflow's own refusal, which the batch message quotes."""
    suggestion.refresh_from_db()
    return workflow.refusal(workflow.ACTIONS[name], user, suggestion)


def post_batch(client, action, suggestions, follow=True, **fields):
    data = {"action": action, "ids": [s.pk if hasattr(s, "pk") else s for s in suggestions], **fields}
    return client.post(BATCH, data, follow=follow)


# --- 交办给 ---------------------------------------------------------------------------------------------------


def test_the_office_assigns_several_and_is_told_which_were_refused(client, journey, office, units, make):
    first = journey.s
    second, taken = make(2), make(4)
    workflow.perform("assign", user=office, suggestion=taken, at=AT, lead_unit=units["health"])
    before = snapshot(taken)
    reason = why_not("assign", office, taken)
    client.force_login(office)
    response = post_batch(
        client, "assign", [taken, second, first], lead_unit=units["housing"].pk, co_units=[units["finance"].pk],
        query="state=open&q=建议",
    )  # fmt: skip
    assert response.redirect_chain == [(f"{LIST}?state=open&q=%E5%BB%BA%E8%AE%AE", 302)]
    assert messages_shown(response) == [f"已交办2件：第1号、第2号；未办理1件：第4号（{reason}）"]
    assert "alert-warning" in text(response)
    for s in (first, second):
        parts = {(a.unit.name, a.role) for a in Assignment.objects.filter(suggestion=s)}
        assert state_of(s) == S.ASSIGNED
        assert parts == {("市住房和城乡建设管理局", "lead"), ("市财政局", "co")}
    after = snapshot(taken)
    assert {k: after[k] for k in ("suggestion", "assignments", "replies")} == {
        k: before[k] for k in ("suggestion", "assignments", "replies")
    }  # refused: nothing of it changed


def test_a_batch_where_all_are_done_is_a_success(client, registered, office, units, make):
    second = make(2)
    client.force_login(office)
    response = post_batch(client, "assign", [registered, second], lead_unit=units["transport"].pk)
    assert messages_shown(response) == ["已交办2件：第1号、第2号。"]
    assert "alert-success" in text(response)


def test_the_lead_unit_chosen_as_a_co_unit_too_is_refused_for_each(client, registered, office, units, make):
    second = make(2)
    client.force_login(office)
    response = post_batch(
        client, "assign", [registered, second], lead_unit=units["finance"].pk, co_units=[units["finance"].pk]
    )
    assert messages_shown(response) == ["未办理2件：第1号、第2号（主办单位不能同时是协办单位。）"]
    assert "alert-danger" in text(response)
    assert state_of(registered) == state_of(second) == S.REGISTERED


def test_an_id_not_found_is_counted_never_named(client, registered, office, units):
    client.force_login(office)
    response = post_batch(client, "assign", [registered, 999_999], lead_unit=units["transport"].pk)
    assert messages_shown(response) == ["已交办1件：第1号；未找到1件（已不存在或您无权查看）"]


def test_a_suggestion_the_person_may_not_see_is_untouched_and_unnamed(
    journey, leader_user, other_leader_user
):
    """The service itself: what ``visible_to`` hides is counted as not found, before any workflow call."""
    s = journey.assign().s  # in the traffic leader's portfolio, not the health leader's
    before = snapshot(s)
    result = run_batch(
        user=other_leader_user, name="chase", ids=[s.pk], data={"method": "phone", "text": "请加快"}
    )
    assert (result.done, result.refused, result.missing) == ([], [], 1)
    assert result.message == "未找到1件（已不存在或您无权查看）"
    result = run_batch(user=leader_user, name="chase", ids=[s.pk], data={"method": "phone", "text": "请加快"})
    assert result.refused == [(s, "您没有权限进行此操作。")]  # seen, but not theirs to chase
    assert snapshot(s) == before


def test_a_refused_form_comes_back_with_its_rows_still_ticked(client, registered, office, make):
    second = make(2)
    client.force_login(office)
    response = post_batch(client, "assign", [second], follow=False, query="q=第2号")
    assert response.status_code == 400
    html = text(response)
    assert "请选择主办单位。" in html
    assert re.search(rf'name="ids" value="{second.pk}"[^>]*checked', html)
    assert not re.search(rf'name="ids" value="{registered.pk}"[^>]*checked', html)
    assert "第1号" not in html  # the list as it was filtered (q=第2号)
    assert state_of(second) == S.REGISTERED


def test_nothing_ticked_is_a_message_not_a_change(client, registered, office, units):
    client.force_login(office)
    response = post_batch(client, "assign", [], follow=False, lead_unit=units["transport"].pk)
    assert response.status_code == 400
    assert "请先勾选要办理的建议。" in text(response)
    assert state_of(registered) == S.REGISTERED


def test_more_than_the_limit_at_once_is_refused(client, registered, office, units):
    client.force_login(office)
    ids = [registered.pk, *range(10_000, 10_000 + MAX_BATCH)]
    response = post_batch(client, "assign", ids, follow=False, lead_unit=units["transport"].pk)
    assert response.status_code == 400
    assert f"一次最多办理{MAX_BATCH}件。" in text(response)
    assert state_of(registered) == S.REGISTERED


# --- 催办 -----------------------------------------------------------------------------------------------------


def test_the_office_chases_several_being_handled(client, journey, office, make):
    handled = journey.assign().s
    waiting = make(2)  # not assigned yet: nothing to chase
    reason = why_not("supervise", office, waiting)
    client.force_login(office)
    response = post_batch(client, "chase", [handled, waiting], method="phone", text="请于本周内报送答复。")
    assert messages_shown(response) == [f"已催办1件：第1号；未办理1件：第2号（{reason}）"]
    notes = SupervisionNote.objects.filter(suggestion=handled)
    assert [(n.kind, n.method, n.text) for n in notes] == [("chase", "phone", "请于本周内报送答复。")]
    assert not SupervisionNote.objects.filter(suggestion=waiting).exists()


def test_a_chase_needs_its_text(client, journey, office):
    s = journey.assign().s
    client.force_login(office)
    response = post_batch(client, "chase", [s], follow=False, method="phone", text=" ")
    assert response.status_code == 400
    assert "请填写催办内容。" in text(response)
    assert not SupervisionNote.objects.exists()


# --- 办结 -----------------------------------------------------------------------------------------------------


def test_the_office_closes_those_rated_and_is_told_why_not_the_others(
    client, journey, office, clerk, head, units, deputy_user, make
):
    rated = dated_today(journey).assign().reply().rate(3).s
    other = Journey(make(2), office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user)
    unrated = dated_today(other).assign().reply().s  # replied just now: the deputy still has time to rate
    reason = why_not("close", office, unrated)
    assert reason and "评价" in reason
    client.force_login(office)
    response = post_batch(client, "close", [unrated, rated], note="已按期办结")
    assert messages_shown(response) == [f"已办结1件：第1号；未办理1件：第2号（{reason}）"]
    assert state_of(rated) == S.CLOSED and state_of(unrated) == S.REPLIED


# --- who may, and how ----------------------------------------------------------------------------------------


def test_only_the_office_gets_the_batch_bar(
    client, journey, office, clerk, deputy_user, leader_user, congress
):
    journey.assign()
    client.force_login(office)
    html = text(client.get(LIST))
    assert 'id="batch"' in html and 'name="ids"' in html
    bar = html[html.index('id="batch"') : html.index("</form>", html.index('id="batch"'))]
    assert re.findall(r'<option value="(assign|chase|close)"', bar) == ["assign", "chase", "close"]
    for user in (clerk, deputy_user, leader_user, congress):
        client.force_login(user)
        html = text(client.get(LIST))
        assert 'id="batch"' not in html and 'name="ids"' not in html, user


def test_a_unit_may_not_post_a_batch(client, journey, clerk):
    s = journey.assign().s
    client.force_login(clerk)
    response = post_batch(client, "close", [s], follow=False)
    assert response.status_code == 403
    assert state_of(s) == S.ASSIGNED


def test_a_batch_is_a_post_with_its_csrf_token(registered, office, units):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    assert client.get(BATCH).status_code == 405
    response = post_batch(client, "assign", [registered], follow=False, lead_unit=units["transport"].pk)
    assert response.status_code == 403
    assert state_of(registered) == S.REGISTERED
    page = text(client.get(LIST))
    assert re.search(r'<form method="post" action="/suggestions/batch/"[^>]*id="batch">\s*<input type="hidden" '
                     r'name="csrfmiddlewaretoken"', page)  # fmt: skip


def test_each_suggestion_costs_the_same_few_queries(client, office, units, make):
    """One request: the lookups once, then the workflow's own queries per suggestion, the same for each."""
    client.force_login(office)
    costs = []
    for size in (1, 2, 3):
        chosen = [make(10 * size + i) for i in range(size)]
        with CaptureQueriesContext(connection) as queries:
            response = post_batch(client, "assign", chosen, follow=False, lead_unit=units["transport"].pk)
        assert response.status_code == 302
        costs.append(len(queries))
    per_suggestion = costs[1] - costs[0]
    assert costs[2] - costs[1] == per_suggestion
    assert costs[0] - per_suggestion <= 8  # session, user, the form's units and the visible suggestions
