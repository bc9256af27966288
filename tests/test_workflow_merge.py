"""并案 (handled together), 拆分, and 相关建议 through the workflow."""

import datetime

import pytest

from suggestions import statistics, workflow
from suggestions.models import Assignment, CongressSession, Rating, Reply, Suggestion
from tests.conftest import AT
from tests.workflow_helpers import actions, refused

S, A = Suggestion.State, Assignment.State
LETTER = {
    "document_number": "霍交函〔2025〕12号",
    "contact_person": "周敏",
    "contact_phone": "0357-5620000",
    "text": "经研究，答复如下：一、……",
    "result_class": "A",
}


def register(office, session, categories, deputy, number, title="关于加快农村道路提档升级的建议"):
    return workflow.register(
        user=office,
        at=AT,
        session=session,
        number=number,
        title=title,
        content="农村道路破损。",
        lead_deputy=deputy,
        category=categories["城建交通"],
    )


@pytest.fixture
def second(office, session, categories, deputies):
    return register(office, session, categories, deputies["other"], 2)


@pytest.fixture
def third(office, session, categories, deputies):
    return register(office, session, categories, deputies["joint"], 3)


@pytest.fixture
def merged(journey, second, office):
    workflow.perform(
        "merge", user=office, suggestion=journey.s, at=journey.step(0), members=[second], reason="同一条道路"
    )
    second.refresh_from_db()
    return journey, second


def lead_of(s):
    return s.assignments.get(role=Assignment.Role.LEAD)


def test_merge_writes_an_event_on_each_suggestion(merged):
    j, second = merged
    assert second.merged_into == j.s
    assert "merge" in actions(j.s) and "merge" in actions(second)
    assert "第2号" in j.s.events.get(action="merge").note
    assert "并入第1号" in second.events.get(action="merge").note


def test_the_main_ones_handling_is_every_merged_suggestions_own(
    merged, units, clerk, deputies, other_deputy_user
):
    j, second = merged
    j.assign(co=False)
    second.refresh_from_db()
    assert second.state == S.ASSIGNED
    assert lead_of(second).unit == units["transport"] and lead_of(second).deadline == j.lead.deadline
    j.sign()
    workflow.perform(
        "draft_reply", user=clerk, suggestion=j.s, assignment=j.lead, at=j.step(), **LETTER,
        member_document_numbers={second.pk: "霍交函〔2025〕13号"},
    )  # fmt: skip
    j.sign_off().submit().accept()
    second.refresh_from_db()
    j.s.refresh_from_db()
    assert j.s.state == second.state == S.REPLIED
    ours, theirs = (
        Reply.objects.get(assignment__suggestion=j.s),
        Reply.objects.get(assignment__suggestion=second),
    )
    assert ours.pk != theirs.pk and ours.text == theirs.text
    assert (ours.document_number, theirs.document_number) == ("霍交函〔2025〕12号", "霍交函〔2025〕13号")
    # each deputy rates their own reply; an unsatisfied one re-handles only that suggestion
    j.rate(3)
    workflow.perform(
        "rate", user=other_deputy_user, suggestion=second, at=j.step(), overall=1, comment="没有解决。"
    )
    second.refresh_from_db()
    j.s.refresh_from_db()
    assert (j.s.state, second.state) == (S.REPLIED, S.REHANDLING)
    assert Rating.objects.filter(reply=theirs, deputy=deputies["other"]).exists()
    # the re-handling is the second suggestion's own: it is no longer in step, so its unit acts on it directly
    rehandled = second.assignments.get(round=2)
    workflow.perform("sign_for", user=clerk, suggestion=second, assignment=rehandled, at=j.step())
    figures = statistics.summary(Suggestion.objects.filter(session=j.s.session))
    assert figures["total"] == 2


def test_a_merged_suggestion_is_handled_on_its_main_one(merged, clerk):
    j, second = merged
    j.assign(co=False)
    message = refused("sign_for", user=clerk, suggestion=second, assignment=lead_of(second), at=j.step())
    assert "请在第1号上签收" in message
    assert not any(a.name == "sign_for" for a in workflow.available_actions(second, clerk))


def test_merge_refuses_another_sessions_or_a_different_state(journey, office, categories, deputies, second):
    past = CongressSession.objects.create(name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4)
    old = register(office, past, categories, deputies["other"], 7)
    message = refused(
        "merge", user=office, suggestion=journey.s, members=[old], reason="同一事项", at=journey.at
    )
    assert "同一次会议" in message
    workflow.perform(
        "assign", user=office, suggestion=second, at=journey.at, lead_unit=journey.units["housing"]
    )
    message = refused("merge", user=office, suggestion=journey.s, members=[second], reason="同一事项")
    assert "与主建议不同" in message
    assert "理由" in refused("merge", user=office, suggestion=journey.s, members=[second], reason=" ")


def test_assigned_suggestions_merge_only_with_the_same_units(journey, office, second):
    journey.assign(co=False)
    workflow.perform(
        "assign", user=office, suggestion=second, at=journey.at, lead_unit=journey.units["housing"]
    )
    message = refused("merge", user=office, suggestion=journey.s, members=[second], reason="同一事项")
    assert "承办单位与主建议不同" in message


def test_split_lets_each_be_handled_alone(merged, office, clerk):
    j, second = merged
    j.assign(co=False)
    assert "主建议" in refused("split", user=office, suggestion=second, reason="不是同一事项")
    workflow.perform("split", user=office, suggestion=j.s, at=j.step(), reason="不是同一事项")
    second.refresh_from_db()
    assert second.merged_into is None and "split" in actions(second)
    workflow.perform("sign_for", user=clerk, suggestion=second, assignment=lead_of(second), at=j.step())
    assert lead_of(second).state == A.SIGNED and j.lead.state == A.PENDING


def test_a_closed_suggestion_cannot_be_merged(journey, office, second):
    journey.assign(co=False).reply()
    journey.rate(3)
    workflow.perform("close", user=office, suggestion=journey.s, at=journey.step())
    assert "不能并案" in refused(
        "merge", user=office, suggestion=journey.s, members=[second], reason="同一事项"
    )


def test_related_is_kept_both_ways_and_removable(journey, office, second, clerk):
    workflow.perform("relate", user=office, suggestion=journey.s, other=second, at=journey.at)
    assert list(second.related.all()) == [journey.s]
    assert "已标记" in refused("relate", user=office, suggestion=second, other=journey.s)
    assert "权限" in refused("relate", user=clerk, suggestion=journey.s, other=second)
    workflow.perform("unrelate", user=office, suggestion=second, other=journey.s, at=journey.step())
    assert not journey.s.related.exists()
    assert "unrelate" in actions(second)


def test_merge_then_extension_moves_every_deadline(merged, clerk, office):
    j, second = merged
    j.assign(co=False).sign()
    wanted = j.lead.deadline + datetime.timedelta(days=30)
    workflow.perform(
        "request_extension", user=clerk, suggestion=j.s, assignment=j.lead, at=j.step(),
        requested_deadline=wanted, grounds="需要协调资金",
    )  # fmt: skip
    workflow.perform(
        "rule_extension", user=office, suggestion=j.s, assignment=j.lead, at=j.step(), approve=True
    )
    assert lead_of(second).deadline == j.lead.deadline == wanted


def test_the_co_units_opinion_on_the_main_one_is_each_merged_suggestions_too(merged, co_clerk):
    j, second = merged
    j.assign(co=True)
    co = j.s.assignments.get(role=Assignment.Role.CO)
    workflow.perform("sign_for", user=co_clerk, suggestion=j.s, assignment=co, at=j.step())
    workflow.perform("send_opinion", user=co_clerk, suggestion=j.s, assignment=co, at=j.step(), text="同意")
    theirs = second.assignments.get(role=Assignment.Role.CO)
    assert theirs.state == A.OPINION_SENT and theirs.opinion.text == "同意"


def test_a_refusal_on_a_merged_suggestion_undoes_the_main_ones_action_too(merged, office, units):
    j, second = merged
    j.assign(co=False)
    # the merged one's part was moved away by hand (not repeated): the next repeated step asks to split first
    second_lead = lead_of(second)
    second_lead.unit = units["housing"]
    second_lead.save(update_fields=["unit"])
    message = refused("sign_for", user=j.clerk, suggestion=j.s, assignment=j.lead, at=j.step())
    assert "请先拆分" in message
    assert j.lead.state == A.PENDING


# --- the reply form: each merged suggestion its own 文号 ----------------------------------------------------------


def test_the_reply_form_takes_each_merged_suggestions_own_number_and_each_deputy_rates_their_own(
    client, merged, clerk, head, deputies, other_deputy_user, third
):
    from django.urls import reverse

    from tests.view_helpers import REPLY_FORM, detail_url, messages_shown, text

    j, second = merged
    workflow.perform(
        "merge", user=j.office, suggestion=j.s, at=j.step(0), members=[third], reason="同一条道路"
    )  # a second member, joined later: its letter keeps the main one's number
    j.assign(co=False).sign()
    url = reverse("suggestions:reply_form", args=[j.s.pk, j.lead.pk])
    client.force_login(clerk)
    page = text(client.get(url))
    assert "并案的第2号（" in page and "并案的第3号（" in page and "不填则与本件的文号相同" in page
    data = {**REPLY_FORM, f"member_number_{second.pk}": "霍交函〔2025〕13号", f"member_number_{third.pk}": ""}
    response = client.post(url, data, follow=True)
    assert messages_shown(response) == ["拟写答复：已完成。答复稿已送单位负责人签发。"]
    # a redraft shows the member's own number again, the one sharing the main number empty
    form = client.get(url).context["form"]
    assert form[f"member_number_{second.pk}"].value() == "霍交函〔2025〕13号"
    assert not form[f"member_number_{third.pk}"].value()
    # the head's signing form names every letter signed at once
    client.force_login(head)
    modal = text(client.get(detail_url(j.s)))
    assert (
        "一并签发3件答复（第1号：霍交函〔2025〕12号；第2号：霍交函〔2025〕13号；第3号：霍交函〔2025〕12号）"
        in modal
    )
    j.sign_off().submit().accept()
    numbers = {
        r.assignment.suggestion_id: r.document_number
        for r in Reply.objects.filter(state=Reply.State.ACCEPTED).select_related("assignment")
    }
    assert numbers == {
        j.s.pk: "霍交函〔2025〕12号",
        second.pk: "霍交函〔2025〕13号",
        third.pk: "霍交函〔2025〕12号",
    }
    # each deputy rates the reply on their own suggestion
    j.rate(3)
    workflow.perform("rate", user=other_deputy_user, suggestion=second, at=j.step(), overall=2, comment="")
    ratings = {r.reply.assignment.suggestion_id: (r.deputy_id, r.overall) for r in Rating.objects.all()}
    assert ratings == {j.s.pk: (deputies["lead"].pk, 3), second.pk: (deputies["other"].pk, 2)}
    third.refresh_from_db()
    assert third.state == S.REPLIED  # its deputy has not rated yet
