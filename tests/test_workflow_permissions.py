"""Who may take each workflow action, and what the buttons show (``available_actions``; that the detail page
shows exactly these is test_views_detail's).

The table test puts a suggestion at the point of its life where the action makes sense, then lets each role try:
the roles in ``ALLOWED`` succeed and leave an event; every other role is refused in Chinese and nothing changes.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from suggestions import workflow
from suggestions.models import Assignment, Commitment, CongressSession, Event, Suggestion
from tests.conftest import AT, Journey, make_user
from tests.workflow_helpers import CHINESE, refused, snapshot

OFFICE, LEADER, STAFF, HEAD, DEPUTY, CONGRESS = (
    Role.OFFICE,
    Role.LEADER,
    Role.UNIT_STAFF,
    Role.UNIT_HEAD,
    Role.DEPUTY,
    Role.CONGRESS,
)
UNIT = {STAFF, HEAD}

ALLOWED = {
    "edit": {OFFICE},
    "assign": {OFFICE},
    "add_unit": {OFFICE},
    "hand_over": {OFFICE},
    "withdraw": {OFFICE},
    "sign_for": UNIT,
    "request_reassignment": UNIT,
    "rule_reassignment": {OFFICE},
    "request_extension": UNIT,
    "rule_extension": {OFFICE},
    "log_contact": UNIT,
    "send_opinion": UNIT,
    "draft_reply": UNIT,
    "sign_reply": {HEAD},
    "return_draft": {HEAD},
    "submit_reply": UNIT,
    "review_reply": {OFFICE},
    "rate": {DEPUTY},
    "record_rating": {OFFICE},
    "rehandle": {OFFICE},
    "close": {OFFICE},
    "publish": {OFFICE},
    "supervise": {OFFICE},
    "order_key": {OFFICE},
    "comment": {LEADER},
    "follow_up": {OFFICE, STAFF, HEAD},
    "link_commitment": {OFFICE},
    "recompute_deadline": set(),  # the system's own (a holiday schedule entered): no person takes it
    "relate": {OFFICE},
    "unrelate": {OFFICE},
    "merge": {OFFICE},
    "split": {OFFICE},
}

REPLY = {
    "document_number": "霍交函〔2025〕20号",
    "contact_person": "周敏",
    "contact_phone": "0357-5620000",
    "text": "经研究，答复如下",
    "result_class": "A",
}


def _scenario(name, j, deputies, units):
    """Bring the journey's suggestion to where ``name`` can be taken; return (assignment, unit key, data)."""
    lead = lambda: j.lead  # noqa: E731
    if name in ("relate", "unrelate", "merge", "split"):
        other = workflow.register(
            user=j.office, at=AT, session=j.s.session, number=2, title="关于加快农村道路提档升级的建议",
            content="……", lead_deputy=deputies["other"], category=j.s.category,
        )  # fmt: skip
        if name == "unrelate":
            workflow.perform("relate", user=j.office, suggestion=j.s, other=other, at=j.step())
        if name == "split":
            workflow.perform(
                "merge", user=j.office, suggestion=j.s, members=[other], reason="同一事项", at=j.step()
            )
        data = {"relate": {"other": other}, "unrelate": {"other": other}, "merge": {"members": [other]}}
        return None, "transport", {**data.get(name, {}), "reason": "同一事项"}
    if name in ("edit", "assign", "hand_over"):
        data = {
            "edit": {"title": "关于农村道路提档升级改造的建议"},
            "assign": {"lead_unit": units["transport"]},
            "hand_over": {"other_organ": "市人民检察院"},
        }[name]
        return None, "transport", data
    if name == "link_commitment":  # the suggestion repeats what an earlier session's B-class reply promised
        earlier = CongressSession.objects.create(
            name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4
        )
        past = workflow.register(
            user=j.office,
            at=AT,
            session=earlier,
            number=9,
            title="关于农村道路硬化的建议",
            content="建议硬化农村道路。",
            lead_deputy=deputies["lead"],
            joint_deputies=[],
            category=j.s.category,
        )
        Journey(
            past, office=j.office, clerk=j.clerk, head=j.head, units=units, deputy_user=j.deputy_user
        ).assign(co=False).reply("B")
        return None, "transport", {"commitment": Commitment.objects.get()}
    if name == "order_key":  # a key suggestion of a closed session: the office reorders it for the report
        leader = units["transport"].leader
        workflow.perform("edit", user=j.office, suggestion=j.s, is_key=True, supervising_leader=leader)
        j.assign().reply()
        j.rate(3)
        workflow.perform("close", user=j.office, suggestion=j.s, at=j.step())
        return None, "transport", {"key_order": 2}
    j.assign()
    if name == "withdraw":
        return None, "transport", {"reason": "代表申请撤回"}
    if name == "add_unit":
        return None, "transport", {"unit": units["health"], "reason": "涉及卫生健康事项"}
    if name == "recompute_deadline":
        return None, "transport", {"reason": "2027年节假日安排已录入"}
    if name == "supervise":
        return None, "transport", {"text": "请加快办理"}
    if name == "comment":
        return None, "transport", {"text": "请交通局抓紧研究"}
    if name == "sign_for":
        return lead(), "transport", {}
    if name == "request_reassignment":
        return lead(), "transport", {"reason": "不属本单位职责", "proposed_unit": units["housing"]}
    if name == "rule_reassignment":
        workflow.perform(
            "request_reassignment",
            user=j.clerk,
            suggestion=j.s,
            assignment=lead(),
            at=j.step(),
            reason="非本单位",
        )
        return lead(), "transport", {"approve": False, "note": "属交通局职责"}
    if name == "send_opinion":
        co = j.s.assignments.get(role="co")
        finance_clerk = make_user("finance-signer", Role.UNIT_STAFF, unit=units["finance"])
        workflow.perform("sign_for", user=finance_clerk, suggestion=j.s, assignment=co, at=j.step())
        return co, "finance", {"text": "同意主办单位意见，资金按程序安排"}
    j.sign()
    if name == "request_extension":
        return (
            lead(),
            "transport",
            {"grounds": "需要协调资金", "requested_deadline": datetime.date(2025, 7, 3)},
        )
    if name == "rule_extension":
        workflow.perform(
            "request_extension",
            user=j.clerk,
            suggestion=j.s,
            assignment=lead(),
            at=j.step(),
            grounds="需要协调资金",
            requested_deadline=datetime.date(2025, 7, 3),
        )
        return lead(), "transport", {"approve": True}
    if name == "log_contact":
        data = {
            "method": "visit",
            "contacted_on": datetime.date(2025, 3, 4),
            "participants": "周敏、赵明远",
            "summary": "登门听取意见",
        }
        return lead(), "transport", data
    if name == "draft_reply":
        return lead(), "transport", REPLY
    j.draft("B" if name == "follow_up" else "A")
    if name == "sign_reply":
        return lead(), "transport", {}
    if name == "return_draft":
        return lead(), "transport", {"reason": "请逐条回应代表意见"}
    j.sign_off()
    if name == "submit_reply":
        return lead(), "transport", {}
    j.submit()
    if name == "review_reply":
        return lead(), "transport", {"accept": True}
    j.accept()
    if name == "rate":
        return None, "transport", {"overall": 3}
    if name == "record_rating":
        return None, "transport", {"deputy": deputies["joint"], "overall": 2}
    if name == "rehandle":
        return None, "transport", {"reason": "答复不具体"}
    if name == "publish":
        return None, "transport", {}
    if name == "follow_up":
        return None, "transport", {"progress": "改造已完成", "is_done": True}
    if name == "close":
        j.rate(3)
        return None, "transport", {}
    raise AssertionError(f"no scenario for {name}")


def _user(role, unit_key, request, units):
    fixture = {OFFICE: "office", LEADER: "leader_user", DEPUTY: "deputy_user", CONGRESS: "congress"}
    if role in fixture:
        return request.getfixturevalue(fixture[role])
    if unit_key == "transport":
        return request.getfixturevalue("clerk" if role == STAFF else "head")
    return make_user(f"{unit_key}-{role}", role, unit=units[unit_key])


def test_the_table_covers_every_action():
    assert set(ALLOWED) == set(workflow.ACTIONS)


@pytest.mark.parametrize("name", list(ALLOWED))
def test_who_may_take_each_action(request, journey, deputies, units, name):
    """One row of the table: every role tries ``name`` on the same suggestion.

    A refused role gets a Chinese message and changes nothing; an allowed role's action is performed (and
    rolled back before the next role tries) and leaves its event. The row is compared whole, so a failure
    shows every (action, role) pair that differs.
    """
    assignment, unit_key, data = _scenario(name, journey, deputies, units)
    at = journey.step()
    before = snapshot(journey.s)
    outcome = {}
    for role in Role:
        user = _user(role, unit_key, request, units)
        s = Suggestion.objects.get(pk=journey.s.pk)
        part = Assignment.objects.get(pk=assignment.pk) if assignment else None
        if workflow.refusal(workflow.ACTIONS[name], user, s, part, at=at) is not None:
            refused(name, before=before, user=user, suggestion=s, assignment=part, at=at, **data)
            outcome[role] = "refused"
            continue
        with transaction.atomic():
            from_state = s.state
            event = workflow.perform(name, user=user, suggestion=s, assignment=part, at=at, **data)
            assert (event.action, event.label) == (name, workflow.ACTIONS[name].label)
            assert (event.actor, event.from_state, event.to_state) == (user, from_state, s.state)
            assert event.created_at == at
            assert Event.objects.filter(suggestion=s).latest("id") == event
            transaction.set_rollback(True)
        outcome[role] = "allowed"
    assert outcome == {role: "allowed" if role in ALLOWED[name] else "refused" for role in Role}


def test_an_unknown_action_is_refused(registered, office):
    assert refused("approve_everything", user=office, suggestion=registered) == "未知的操作。"


def test_a_role_without_the_permission_is_told_so(registered, deputy_user):
    assert refused("assign", user=deputy_user, suggestion=registered) == "您没有权限进行此操作。"


def test_every_action_on_a_part_of_a_registered_suggestion_says_why_not(journey, office):
    # on a registered suggestion nothing can be done to a unit's part yet: each such action says why
    for name, action in workflow.ACTIONS.items():
        if action.on_assignment and action.permission in office.get_all_permissions():
            message = workflow.refusal(action, office, journey.s)
            assert message and CHINESE.search(message), name


# --- available_actions: exactly the buttons ---------------------------------------------------------------------


def names(available):
    return sorted((a.name, a.assignment.unit.short_name if a.assignment else None) for a in available)


def test_office_on_a_registered_suggestion(registered, office, congress, deputy_user):
    assert names(workflow.available_actions(registered, office, at=AT)) == [
        ("assign", None),
        ("edit", None),
        ("hand_over", None),
        ("withdraw", None),
    ]
    # the congress staff and the deputy read it; nothing for them to do
    assert workflow.available_actions(registered, congress, at=AT) == []
    assert workflow.available_actions(registered, deputy_user, at=AT) == []


def test_nothing_for_people_who_cannot_see_the_suggestion(
    journey, outsider_clerk, other_deputy_user, leader_user
):
    assert workflow.available_actions(journey.s, other_deputy_user, at=journey.at) == []
    assert workflow.available_actions(journey.s, outsider_clerk, at=journey.at) == []
    assert (
        workflow.available_actions(journey.s, leader_user, at=journey.at) == []
    )  # not classified into a portfolio yet


def test_units_on_an_assigned_suggestion_see_their_own_part_only(journey, clerk, co_clerk, head):
    journey.assign()
    own = [("request_reassignment", "交通局"), ("sign_for", "交通局")]
    assert names(workflow.available_actions(journey.s, clerk, at=journey.at)) == own
    assert names(workflow.available_actions(journey.s, head, at=journey.at)) == own
    assert names(workflow.available_actions(journey.s, co_clerk, at=journey.at)) == [
        ("request_reassignment", "财政局"),
        ("sign_for", "财政局"),
    ]


def test_office_and_leader_on_an_assigned_suggestion(journey, office, leader_user, deputy_user, congress):
    journey.assign()
    assert names(workflow.available_actions(journey.s, office, at=journey.at)) == [
        ("add_unit", None),
        ("edit", None),
        ("supervise", None),
        ("withdraw", None),
    ]
    assert names(workflow.available_actions(journey.s, leader_user, at=journey.at)) == [("comment", None)]
    assert workflow.available_actions(journey.s, deputy_user, at=journey.at) == []
    assert workflow.available_actions(journey.s, congress, at=journey.at) == []


def test_unit_with_a_draft_reply(journey, clerk, head):
    journey.assign().sign().draft()
    working = [("draft_reply", "交通局"), ("log_contact", "交通局"), ("request_extension", "交通局")]
    assert names(workflow.available_actions(journey.s, clerk, at=journey.step())) == [
        ("draft_reply", "交通局"),
        ("log_contact", "交通局"),
        ("request_extension", "交通局"),
    ]
    assert names(workflow.available_actions(journey.s, head, at=journey.at)) == sorted(
        [*working, ("return_draft", "交通局"), ("sign_reply", "交通局")]
    )


def test_submitted_reply_for_office_and_unit(journey, office, clerk):
    journey.assign().sign().draft().sign_off().submit()
    assert names(workflow.available_actions(journey.s, office, at=journey.at)) == [
        ("add_unit", None),
        ("edit", None),
        ("review_reply", "交通局"),
        ("supervise", None),
        ("withdraw", None),
    ]
    assert names(workflow.available_actions(journey.s, clerk, at=journey.at)) == [("log_contact", "交通局")]


def test_the_reassignment_button_disappears_after_the_window(journey, clerk):
    journey.assign()
    late = journey.step(10)
    assert names(workflow.available_actions(journey.s, clerk, at=late)) == [("sign_for", "交通局")]


def test_replied_suggestion_for_deputy_and_office(journey, office, deputy_user, other_deputy_user):
    journey.assign().reply("B")
    assert names(workflow.available_actions(journey.s, deputy_user, at=journey.at)) == [("rate", None)]
    at = journey.step()
    office_buttons = [
        ("follow_up", None),
        ("publish", None),
        ("record_rating", None),
        ("rehandle", None),
        ("supervise", None),
    ]
    assert names(workflow.available_actions(journey.s, office, at=at)) == office_buttons
    # a month after the reply the office may close without a rating
    later = journey.step(31)
    assert names(workflow.available_actions(journey.s, office, at=later)) == sorted(
        [*office_buttons, ("close", None)]
    )


def test_accepted_a_class_reply_for_everyone(
    journey, office, clerk, congress, deputy_user, joint_deputy_user
):
    journey.assign().reply("A")
    # no follow-up: an A-class reply makes no commitment
    assert names(workflow.available_actions(journey.s, office, at=journey.at)) == [
        ("publish", None),
        ("record_rating", None),
        ("rehandle", None),
        ("supervise", None),
    ]
    for deputy in (deputy_user, joint_deputy_user):
        assert names(workflow.available_actions(journey.s, deputy, at=journey.at)) == [("rate", None)]
    assert workflow.available_actions(journey.s, clerk, at=journey.at) == []
    assert workflow.available_actions(journey.s, congress, at=journey.at) == []


def test_rated_suggestion_can_be_closed_and_not_rated_again(journey, office, deputy_user):
    journey.assign().reply("A").rate(3)
    assert workflow.available_actions(journey.s, deputy_user, at=journey.at) == []
    assert ("close", None) in names(workflow.available_actions(journey.s, office, at=journey.step()))


def test_available_actions_agree_with_perform(journey, office, clerk, head, co_clerk, deputy_user):
    """Every button offered can be pressed; at this point nothing that is not offered works either."""
    journey.assign().sign()
    for user in (office, clerk, head, co_clerk, deputy_user):
        offered = {
            (a.name, a.assignment.pk if a.assignment else None)
            for a in workflow.available_actions(journey.s, user, at=journey.at)
        }
        for name, action in workflow.ACTIONS.items():
            if not action.button:  # 相关建议 and 并案 are taken from the page of similar suggestions
                assert name not in {n for n, _ in offered}
                continue
            parts = list(journey.s.assignments.all()) if action.on_assignment else [None]
            for part in parts:
                allowed = workflow.refusal(action, user, journey.s, part, at=journey.at) is None
                assert allowed == ((name, part.pk if part else None) in offered), (user, name, part)


def test_available_label_names_the_unit(journey, clerk):
    journey.assign()
    labels = {a.label for a in workflow.available_actions(journey.s, clerk, at=journey.at)}
    assert labels == {"签收（交通局）", "申请调整（交通局）"}


def test_a_unit_part_moved_elsewhere_offers_nothing(journey, office, clerk, units):
    journey.assign()
    lead = journey.lead
    at = journey.step()
    workflow.perform(
        "request_reassignment", user=clerk, suggestion=journey.s, assignment=lead, at=at, reason="非本单位"
    )
    workflow.perform(
        "rule_reassignment",
        user=office,
        suggestion=journey.s,
        assignment=lead,
        at=at,
        approve=True,
        new_unit=units["housing"],
    )
    assert Assignment.objects.get(pk=lead.pk).state == Assignment.State.REASSIGNED
    assert workflow.available_actions(journey.s, clerk, at=journey.at) == []


def test_working_out_the_buttons_takes_as_many_queries_for_one_unit_as_for_four(
    journey, office, clerk, units, session, categories, deputies, django_user_model
):
    """The detail page asks ``available_actions`` on every view: the work must not grow with the parts."""
    journey.assign(co=False)
    journey.sign()
    many = workflow.register(
        user=office, at=AT, session=session, number=2, title="关于城区交通综合治理的建议",
        lead_deputy=deputies["lead"], category=categories["城建交通"],
    )  # fmt: skip
    co_units = [units["housing"], units["health"], units["finance"]]
    workflow.perform(
        "assign", user=office, suggestion=many, at=AT, lead_unit=units["transport"], co_units=co_units
    )
    for part in many.assignments.all():
        signer = django_user_model.objects.create_user(
            username=f"s{part.pk}", role="unit_staff", unit=part.unit
        )
        workflow.perform("sign_for", user=signer, suggestion=many, assignment=part, at=journey.step())
    for user in (office, clerk):
        with CaptureQueriesContext(connection) as one:
            workflow.available_actions(journey.s, user, at=journey.at)
        with CaptureQueriesContext(connection) as four:
            workflow.available_actions(many, user, at=journey.at)
        assert len(four) == len(one), user
