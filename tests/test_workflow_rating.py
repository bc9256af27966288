"""评价, 重新办理, 办结, 落实跟踪, 督办 and 领导批示: what happens after the reply."""

import datetime

import pytest

from suggestions import workflow
from suggestions.models import (
    Assignment,
    CommitmentFollowUp,
    Rating,
    RatingLevel,
    Rehandling,
    Reply,
    Suggestion,
    SupervisionNote,
)
from tests.conftest import AT
from tests.workflow_helpers import actions, refused

S = Suggestion.State
A = Assignment.State


@pytest.fixture
def replied(journey):
    return journey.assign().reply("A")


# --- 评价 -------------------------------------------------------------------------------------------------------


def test_deputy_rates_the_reply_online(replied, deputy_user, deputies):
    at = replied.step()
    event = workflow.perform(
        "rate",
        user=deputy_user,
        suggestion=replied.s,
        at=at,
        overall=RatingLevel.SATISFIED,
        process=3,
        result=2,
        comment="办理认真",
    )
    rating = Rating.objects.get()
    assert (rating.deputy, rating.overall, rating.process, rating.result) == (deputies["lead"], 3, 3, 2)
    assert (rating.source, rating.recorded_by, rating.rated_at) == (Rating.Source.ONLINE, deputy_user, at)
    assert rating.reply == Reply.objects.get()
    assert replied.s.rating == RatingLevel.SATISFIED
    assert replied.s.state == S.REPLIED
    assert (event.from_state, event.to_state, event.note) == (
        S.REPLIED,
        S.REPLIED,
        "赵明远评价：满意（办理认真）",
    )


def test_a_reply_is_rated_only_after_it_is_accepted(journey, deputy_user):
    journey.assign().sign().draft().sign_off().submit()
    message = refused("rate", user=deputy_user, suggestion=journey.s, at=journey.step(), overall=3)
    assert message == "建议当前状态为「办理中」，不能评价答复。"


def test_deputy_not_on_the_suggestion_cannot_rate(replied, other_deputy_user):
    message = refused("rate", user=other_deputy_user, suggestion=replied.s, at=replied.step(), overall=1)
    assert message == "您无权查看此建议。"


def test_deputy_rates_once(replied, deputy_user):
    replied.rate(3)
    message = refused("rate", user=deputy_user, suggestion=replied.s, at=replied.step(), overall=1)
    assert message == "您已评价过本轮答复。"
    assert Rating.objects.count() == 1


def test_a_rating_must_be_one_of_the_three(replied, deputy_user):
    message = refused("rate", user=deputy_user, suggestion=replied.s, at=replied.step(), overall=5)
    assert message == "请选择满意、基本满意或不满意。"


def test_joint_deputy_rates_too_and_the_worst_rating_stands(replied, joint_deputy_user):
    replied.rate(3)
    workflow.perform("rate", user=joint_deputy_user, suggestion=replied.s, at=replied.step(), overall=2)
    assert Rating.objects.count() == 2
    assert replied.s.rating == RatingLevel.BASIC


def test_the_unit_that_replied_cannot_rate_its_own_reply(replied, clerk, head):
    for user in (clerk, head):
        assert (
            refused("rate", user=user, suggestion=replied.s, at=replied.step(), overall=3)
            == "您没有权限进行此操作。"
        )


def test_office_records_a_paper_rating(replied, office, deputies):
    event = workflow.perform(
        "record_rating",
        user=office,
        suggestion=replied.s,
        at=replied.step(),
        deputy=deputies["joint"],
        overall=2,
    )
    rating = Rating.objects.get()
    assert (rating.deputy, rating.source, rating.recorded_by) == (
        deputies["joint"],
        Rating.Source.PAPER,
        office,
    )
    assert replied.s.rating == RatingLevel.BASIC
    assert event.note == "钱晓梅评价：基本满意 [征询意见表录入]"


def test_office_records_paper_ratings_only_for_the_suggestions_deputies(replied, office, deputies):
    kwargs = {"user": office, "suggestion": replied.s, "overall": 3}
    assert refused("record_rating", at=replied.step(), **kwargs) == "请选择评价的代表。"
    message = refused("record_rating", at=replied.step(), deputy=deputies["other"], **kwargs)
    assert message == "孙志强不是本建议的领衔或联名代表。"


def test_office_cannot_record_a_second_rating_for_a_deputy(replied, office, deputies):
    replied.rate(3)
    message = refused(
        "record_rating",
        user=office,
        suggestion=replied.s,
        at=replied.step(),
        deputy=deputies["lead"],
        overall=1,
    )
    assert message == "赵明远已评价过这份答复。"


# --- 重新办理 ---------------------------------------------------------------------------------------------------


def test_unsatisfied_rating_sends_the_suggestion_back_to_the_lead_unit(replied, deputy_user, units):
    first_lead = replied.lead
    rated_at = replied.step()  # 2025-03-09
    event = workflow.perform(
        "rate",
        user=deputy_user,
        suggestion=replied.s,
        at=rated_at,
        overall=RatingLevel.UNSATISFIED,
        comment="没有解决",
    )
    s = replied.s
    assert (s.state, s.round) == (S.REHANDLING, 2)
    assert (s.replied_at, s.result_class, s.rating) == (None, "", None)
    rehandling = Rehandling.objects.get()
    assert (rehandling.round, rehandling.reason, rehandling.rating) == (2, "没有解决", Rating.objects.get())
    assert rehandling.deadline == datetime.date(2025, 4, 9)  # one month from the rating
    assert s.deadline == datetime.date(2025, 4, 9)
    new_lead = replied.lead
    assert (new_lead.unit, new_lead.round, new_lead.state, new_lead.role) == (
        units["transport"],
        2,
        A.PENDING,
        "lead",
    )
    assert (new_lead.assigned_on, new_lead.deadline) == (datetime.date(2025, 3, 9), datetime.date(2025, 4, 9))
    # the first round stays in the history as it was
    first_lead.refresh_from_db()
    assert (first_lead.round, first_lead.state) == (1, A.REPLIED)
    assert Reply.objects.get().state == Reply.State.ACCEPTED
    assert (event.from_state, event.to_state) == (S.REPLIED, S.REHANDLING)
    assert event.note == "赵明远评价：不满意（没有解决）；交市交通运输局重新办理，期限2025年4月9日"


def test_second_round_is_replied_rated_and_closed(replied, deputy_user, office):
    replied.rate(RatingLevel.UNSATISFIED)
    replied.sign().draft("A", document_number="霍交函〔2025〕30号").sign_off().submit().accept()
    s = replied.s
    assert s.state == S.REPLIED
    assert [r.document_number for r in workflow.current_replies(s)] == ["霍交函〔2025〕30号"]
    replied.rate(RatingLevel.SATISFIED)
    assert s.rating == RatingLevel.SATISFIED
    workflow.perform("close", user=office, suggestion=s, at=replied.step())
    assert s.state == S.CLOSED
    # both rounds in the history
    assert list(s.assignments.filter(role="lead").values_list("round", "state")) == [
        (1, A.REPLIED),
        (2, A.REPLIED),
    ]
    assert sorted(Rating.objects.values_list("reply__assignment__round", "overall")) == [(1, 1), (2, 3)]
    assert actions(s) == [
        "register",
        "assign",
        "sign_for",
        "draft_reply",
        "sign_reply",
        "submit_reply",
        "review_reply",
        "rate",
        "sign_for",
        "draft_reply",
        "sign_reply",
        "submit_reply",
        "review_reply",
        "rate",
        "close",
    ]


def test_a_previous_rounds_part_can_no_longer_be_worked_on(replied, clerk):
    first_lead = replied.lead
    replied.rate(RatingLevel.UNSATISFIED)
    replied.sign()
    message = refused(
        "request_extension",
        user=clerk,
        suggestion=replied.s,
        assignment=first_lead,
        at=replied.step(),
        grounds="延期",
        requested_deadline=datetime.date(2025, 5, 1),
    )
    assert message == "市交通运输局的办理状态为「已答复」，不能申请延期。"


def test_no_reassignment_while_rehandling(replied, clerk):
    replied.rate(RatingLevel.UNSATISFIED)
    message = refused(
        "request_reassignment",
        user=clerk,
        suggestion=replied.s,
        assignment=replied.lead,
        at=replied.step(),
        reason="不是我们",
    )
    assert message == "重新办理阶段不能申请调整。"


def test_office_sends_a_reply_back_for_rehandling(replied, office):
    event = workflow.perform(
        "rehandle", user=office, suggestion=replied.s, at=replied.step(), reason="答复过于笼统"
    )
    assert (replied.s.state, replied.s.round) == (S.REHANDLING, 2)
    assert Rehandling.objects.get().rating is None
    assert event.note.startswith("重新办理：答复过于笼统")
    assert refused("rehandle", user=office, suggestion=replied.s, at=replied.step(), reason="再来") == (
        "建议当前状态为「重新办理」，不能重新办理。"
    )


def test_rehandling_needs_a_reason(replied, office):
    assert (
        refused("rehandle", user=office, suggestion=replied.s, at=replied.step()) == "请填写重新办理的原因。"
    )


# --- 办结 ---------------------------------------------------------------------------------------------------------


def test_whole_life_from_registration_to_closing(journey, office):
    journey.assign().reply("A").rate(3)
    workflow.perform("close", user=office, suggestion=journey.s, at=journey.step())
    s = Suggestion.objects.get(pk=journey.s.pk)
    assert (s.state, s.round, s.rating, s.result_class) == (S.CLOSED, 1, RatingLevel.SATISFIED, "A")
    assert actions(s) == [
        "register",
        "assign",
        "sign_for",
        "draft_reply",
        "sign_reply",
        "submit_reply",
        "review_reply",
        "rate",
        "close",
    ]
    states = list(s.events.values_list("from_state", "to_state"))
    assert states[0] == ("", S.REGISTERED)
    assert all(prev[1] == nxt[0] for prev, nxt in zip(states, states[1:], strict=False))  # an unbroken chain


# --- 办结 rules -----------------------------------------------------------------------------------------------


def test_office_closes_a_rated_suggestion(replied, office):
    replied.rate(3)
    at = replied.step()
    event = workflow.perform("close", user=office, suggestion=replied.s, at=at, note="按期办结")
    assert (replied.s.state, replied.s.closed_at) == (S.CLOSED, at)
    assert (event.from_state, event.to_state, event.note) == (S.REPLIED, S.CLOSED, "办结：按期办结")


def test_no_closing_before_the_deputy_rates(replied, office):
    message = refused("close", user=office, suggestion=replied.s, at=replied.step())
    assert message == "代表尚未评价；答复满30天仍未评价的方可办结。"


def test_closing_without_rating_once_the_rating_time_has_passed(replied, office):
    replied_on = replied.s.replied_at
    assert refused("close", user=office, suggestion=replied.s, at=replied_on + datetime.timedelta(days=30))
    workflow.perform("close", user=office, suggestion=replied.s, at=replied_on + datetime.timedelta(days=31))
    assert replied.s.state == S.CLOSED
    assert replied.s.rating is None


def test_a_closed_suggestion_is_not_rated_or_closed_again(replied, office, deputy_user):
    replied.rate(3)
    workflow.perform("close", user=office, suggestion=replied.s, at=replied.step())
    assert refused("close", user=office, suggestion=replied.s, at=replied.step()).startswith(
        "建议当前状态为「已办结」"
    )
    assert refused("rate", user=deputy_user, suggestion=replied.s, at=replied.step(), overall=1).startswith(
        "建议当前状态为「已办结」"
    )


def test_rating_time_is_a_regional_setting(replied, office, settings):
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "rating_days": 10}
    replied_on = replied.s.replied_at
    workflow.perform("close", user=office, suggestion=replied.s, at=replied_on + datetime.timedelta(days=11))
    assert replied.s.state == S.CLOSED


# --- 落实跟踪 ---------------------------------------------------------------------------------------------------


@pytest.fixture
def closed_b(journey, office):
    journey.assign().reply("B").rate(2)
    workflow.perform("close", user=office, suggestion=journey.s, at=journey.step())
    return journey


def test_follow_up_on_a_b_commitment_after_closing(closed_b, clerk):
    workflow.perform(
        "follow_up",
        user=clerk,
        suggestion=closed_b.s,
        at=closed_b.step(),
        progress="已完成招标",
        followed_on=None,
    )
    reply = Reply.objects.get()
    assert reply.commitment_open
    at = closed_b.step(60)
    event = workflow.perform(
        "follow_up", user=clerk, suggestion=closed_b.s, at=at, progress="改造完工", is_done=True
    )
    reply.refresh_from_db()
    assert reply.commitment_done_on == at.date()
    assert not reply.commitment_open
    assert CommitmentFollowUp.objects.count() == 2
    assert closed_b.s.state == S.CLOSED
    assert event.note == "承诺事项已落实：改造完工"
    # nothing left to follow
    assert refused("follow_up", user=clerk, suggestion=closed_b.s, at=closed_b.step(), progress="再看") == (
        "没有待落实的B类承诺。"
    )


def test_office_follows_up_too(closed_b, office):
    workflow.perform(
        "follow_up",
        user=office,
        suggestion=closed_b.s,
        at=closed_b.step(),
        progress="回头看：已完工",
        is_done=True,
        followed_on=datetime.date(2025, 3, 10),
    )
    assert Reply.objects.get().commitment_done_on == datetime.date(2025, 3, 10)


def test_follow_up_cannot_be_dated_in_the_future(closed_b, office):
    message = refused(
        "follow_up",
        user=office,
        suggestion=closed_b.s,
        at=closed_b.step(),
        progress="提前",
        followed_on=datetime.date(2025, 12, 1),
    )
    assert message == "跟踪日期不能晚于今天。"


def test_only_the_committing_unit_records_progress(closed_b, co_clerk):
    message = refused(
        "follow_up", user=co_clerk, suggestion=closed_b.s, at=closed_b.step(), progress="不是我们"
    )
    assert message == "只有作出承诺的单位可以记录落实情况。"


def test_an_a_class_reply_has_nothing_to_follow_up(replied, office):
    assert refused("follow_up", user=office, suggestion=replied.s, at=replied.step(), progress="看看") == (
        "没有待落实的B类承诺。"
    )


# --- 督办, 领导批示 ------------------------------------------------------------------------------------------------


def test_office_chases_the_units(journey, office):
    journey.assign()
    event = workflow.perform(
        "supervise",
        user=office,
        suggestion=journey.s,
        at=journey.step(),
        kind="chase",
        method="phone",
        text="请按期答复",
    )
    note = SupervisionNote.objects.get()
    assert (note.kind, note.method, note.author) == ("chase", "phone", office)
    assert event.note == "催办（电话督查）：请按期答复"


def test_leader_comments_within_their_portfolio(journey, leader_user):
    journey.assign()
    event = workflow.perform(
        "comment", user=leader_user, suggestion=journey.s, at=journey.step(), text="请抓紧落实"
    )
    note = SupervisionNote.objects.get()
    assert (note.kind, note.author, note.text) == ("comment", leader_user, "请抓紧落实")
    assert event.note == "领导批示：请抓紧落实"


def test_leader_cannot_comment_outside_their_portfolio(journey, other_leader_user):
    journey.assign()
    message = refused(
        "comment", user=other_leader_user, suggestion=journey.s, at=journey.step(), text="我来批示"
    )
    assert message == "您无权查看此建议。"


def test_supervising_leader_comments_on_a_key_suggestion_outside_their_portfolio(
    registered, office, units, leaders, leader_user
):
    workflow.perform(
        "assign",
        user=office,
        suggestion=registered,
        at=AT,
        lead_unit=units["health"],
        is_key=True,
        supervising_leader=leaders["traffic"],
    )
    assert registered.leader == leaders["health"]
    workflow.perform("comment", user=leader_user, suggestion=registered, at=AT, text="领衔督办")
    assert SupervisionNote.objects.get().kind == "comment"


def test_an_empty_comment_is_refused(journey, leader_user):
    journey.assign()
    assert refused("comment", user=leader_user, suggestion=journey.s, at=journey.step(), text="")


def test_the_first_rounds_rating_and_an_unsatisfied_round_stay_on_record(journey):
    """不满意, then 满意 after re-handling: the final rating is 满意, the first round's stays 不满意, and the
    suggestion is marked as once rated 不满意."""
    s = journey.assign().reply().rate(overall=1).s
    s.refresh_from_db()
    assert (s.round, s.rating, s.first_rating, s.rated_unsatisfied) == (2, None, 1, True)
    journey.sign().draft().sign_off().submit().accept().rate(overall=3)
    s.refresh_from_db()
    assert (s.state, s.rating, s.first_rating, s.rated_unsatisfied) == ("replied", 3, 1, True)


def test_a_first_round_rated_well_is_not_marked_unsatisfied(journey):
    s = journey.assign().reply().rate(overall=2).s
    s.refresh_from_db()
    assert (s.rating, s.first_rating, s.rated_unsatisfied) == (2, 2, False)
