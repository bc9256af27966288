"""The figures offices report, on hand-built data whose answers can be counted by eye."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suggestions import rules, statistics
from suggestions.models import Assignment, ContactRecord, Reply, Suggestion
from suggestions.workflow.handlers import mark_contacted

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2025, 7, 1)
DEADLINE = datetime.date(2025, 6, 3)


def local(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def make(session, categories, deputies, delegation, units):
    counter = iter(range(1, 10_000))

    def suggestion(category, state, *, lead=None, co=(), assignment_state="signed", **fields):
        s = Suggestion.objects.create(
            session=session,
            number=next(counter),
            title="建议",
            lead_deputy=deputies["lead"],
            delegation=delegation,
            category=categories[category],
            state=state,
            deadline=fields.pop("deadline", DEADLINE),
            lead_unit=units[lead] if lead else None,
            **fields,
        )
        if lead:
            assign(s, lead, Assignment.Role.LEAD, assignment_state)
        for unit in co:
            assign(s, unit, Assignment.Role.CO, "opinion_sent")
        return s

    def assign(s, unit, role, state):
        return Assignment.objects.create(
            suggestion=s,
            unit=units[unit],
            role=role,
            state=state,
            assigned_on=datetime.date(2025, 3, 3),
            deadline=s.deadline,
            original_deadline=s.deadline,
        )

    suggestion.assign = assign
    return suggestion


def b_reply(suggestion, *, done_on=None):
    return Reply.objects.create(
        assignment=suggestion.assignments.current().get(role="lead"),
        state=Reply.State.ACCEPTED,
        document_number="霍住建函〔2025〕3号",
        contact_person="周敏",
        contact_phone="0357-5620000",
        text="列入明年计划",
        result_class="B",
        commitment="明年完成改造",
        commitment_due=datetime.date(2026, 6, 30),
        commitment_done_on=done_on,
    )


def contact(suggestion):
    ContactRecord.objects.create(
        assignment=suggestion.assignments.current().get(role="lead"),
        method="visit",
        contacted_on=datetime.date(2025, 4, 1),
        participants="周敏",
        summary="登门听取意见",
    )
    mark_contacted(suggestion, ["visit"])  # the flags ``log_contact`` keeps, which the figures count


@pytest.fixture
def data(make, leaders):
    """Eight suggestions:

    no  category  state           portfolio  rating  class  replied             deadline  other
    1   城建交通    closed          traffic    满意     A      2025-05-20          6-03      key; co 财政局; contacted
    2   城建交通    closed          traffic    基本满意  B      2025-06-04 00:30    6-03      late; B done; first 交通局 reassigned
    3   教科文卫    replied         health     -       C      2025-06-03 23:30    6-03      co 交通局
    4   教科文卫    in_handling     health     -       -      -                   4-01      overdue; contacted
    5   社会民生    assigned        -          -       -      -                   9-01
    6   社会民生    not_government
    7   经济环保    withdrawn                                                             assigned to 财政局 first
    8   农林水利    closed          traffic    不满意   B      2025-05-30          6-03      B open
    """
    traffic, health = leaders["traffic"], leaders["health"]
    s1 = make(
        "城建交通", "closed", lead="transport", co=["finance"], assignment_state="replied", leader=traffic,
        is_key=True, supervising_leader=traffic, rating=3, result_class="A", replied_at=local(2025, 5, 20, 10),
    )  # fmt: skip
    contact(s1)
    s2 = make(
        "城建交通", "closed", lead="housing", assignment_state="replied", leader=traffic, rating=2,
        result_class="B", replied_at=local(2025, 6, 4, 0, 30),
    )  # fmt: skip
    make.assign(s2, "transport", Assignment.Role.LEAD, "reassigned")
    b_reply(s2, done_on=datetime.date(2025, 6, 20))
    make(
        "教科文卫", "replied", lead="health", co=["transport"], assignment_state="replied", leader=health,
        result_class="C", replied_at=local(2025, 6, 3, 23, 30),
    )  # fmt: skip
    s4 = make("教科文卫", "in_handling", lead="health", leader=health, deadline=datetime.date(2025, 4, 1))
    contact(s4)
    make(
        "社会民生",
        "assigned",
        lead="transport",
        assignment_state="pending",
        deadline=datetime.date(2025, 9, 1),
    )
    make("社会民生", "not_government", other_organ="市中级人民法院")
    make("经济环保", "withdrawn", lead="finance")
    s8 = make(
        "农林水利", "closed", lead="housing", assignment_state="replied", leader=traffic, rating=1,
        result_class="B", replied_at=local(2025, 5, 30, 9),
    )  # fmt: skip
    b_reply(s8)
    return Suggestion.objects.all()


@pytest.fixture
def figures(data):
    return statistics.summary(data, today=TODAY)


def test_total_and_government_handled_exclude_not_government_and_withdrawn(figures):
    assert figures["total"] == 8
    assert figures["government_handled"] == 6
    assert figures["not_government"] == 1
    assert figures["withdrawn"] == 1


def per_category(figures):
    return {row["name"]: row["count"] for row in figures["by_category"]}


def test_by_category_counts_government_handled_in_category_order_keeping_empty_ones(figures, categories):
    assert figures["by_category"] == [
        {"category_id": categories["城建交通"].pk, "name": "城建交通", "count": 2},
        {"category_id": categories["农林水利"].pk, "name": "农林水利", "count": 1},
        {"category_id": categories["教科文卫"].pk, "name": "教科文卫", "count": 2},
        {"category_id": categories["社会民生"].pk, "name": "社会民生", "count": 1},
        {"category_id": categories["经济环保"].pk, "name": "经济环保", "count": 0},
    ]


def test_a_renamed_category_keeps_its_row_and_count(figures, data, categories):
    categories["城建交通"].name = "城乡建设类"
    categories["城建交通"].save()
    renamed = statistics.summary(data, today=TODAY)["by_category"]
    assert [(r["category_id"], r["count"]) for r in renamed] == [
        (r["category_id"], r["count"]) for r in figures["by_category"]
    ]
    assert renamed[0]["name"] == "城乡建设类"


def test_completion_rate_is_closed_over_government_handled(figures):
    assert figures["closed"] == 3
    assert figures["completion_rate"] == 0.5


def test_reply_rate_counts_replied_and_closed(figures):
    assert figures["replied"] == 4
    assert figures["reply_rate"] == 0.6667


def test_satisfaction_rate_counts_satisfied_and_basically_satisfied_over_rated(figures):
    assert figures["rated"] == 3
    assert (figures["satisfied"], figures["basically_satisfied"], figures["unsatisfied"]) == (1, 1, 1)
    assert figures["satisfaction_rate"] == 0.6667
    assert figures["satisfied_rate"] == 0.3333
    assert figures["basically_satisfied_rate"] == 0.3333


def test_on_time_compares_the_local_reply_date_with_the_deadline(figures):
    # 23:30 on the deadline day (Beijing time) is on time; 00:30 the day after is late, although both are
    # the same day in UTC
    assert figures["on_time"] == 3
    assert figures["on_time_rate"] == 0.75


def test_overdue_counts_suggestions_still_handled_after_their_deadline(figures):
    assert figures["overdue"] == 1


def test_contact_rate_counts_suggestions_with_a_contact_record(figures):
    assert figures["contacted"] == 2
    assert figures["contact_rate"] == 0.3333


def test_result_classes_of_replied_suggestions(figures):
    assert figures["by_result_class"] == {"A": 1, "B": 2, "C": 1}
    assert list(figures["by_result_class"]) == rules.codes()
    assert statistics.by_result_class(Suggestion.objects.all()) == figures["by_result_class"]


@pytest.mark.usefixtures("four_result_classes")
def test_a_county_with_four_result_classes_counts_each(data):
    Suggestion.objects.filter(state=Suggestion.State.REPLIED, result_class="C").update(result_class="D")
    figures = statistics.summary(data, today=TODAY)
    assert figures["by_result_class"] == {"A": 1, "B": 2, "C": 0, "D": 1}
    assert list(figures["by_result_class"]) == ["A", "B", "C", "D"]


def test_a_result_class_no_longer_in_the_scheme_is_left_out(data):
    Suggestion.objects.filter(state=Suggestion.State.REPLIED, result_class="C").update(result_class="D")
    assert statistics.summary(data, today=TODAY)["by_result_class"] == {"A": 1, "B": 2, "C": 0}


def test_result_classes_count_only_replied_and_closed_suggestions(data):
    Suggestion.objects.filter(state=Suggestion.State.IN_HANDLING).update(result_class="A")
    assert statistics.summary(data, today=TODAY)["by_result_class"]["A"] == 1


def test_key_suggestions_and_how_many_are_closed(figures):
    assert (figures["key"], figures["key_closed"]) == (1, 1)


def test_b_class_commitments_open_and_done(figures):
    assert {k: figures["commitments"][k] for k in ("total", "done", "open")} == {
        "total": 2,
        "done": 1,
        "open": 1,
    }
    assert figures["commitments"]["by_class"]["B"] == {"total": 2, "done": 1, "open": 1}


def test_by_state_counts_every_state_keyed_by_its_value(figures):
    S = Suggestion.State
    assert figures["by_state"] == {
        S.REGISTERED: 0,
        S.ASSIGNED: 1,
        S.IN_HANDLING: 1,
        S.REPLIED: 1,
        S.REHANDLING: 0,
        S.CLOSED: 3,
        S.NOT_GOVERNMENT: 1,
        S.WITHDRAWN: 1,
    }
    assert figures["by_state"]["closed"] == figures["by_state"][S.CLOSED] == 3
    assert statistics.by_state(Suggestion.objects.all()) == figures["by_state"]


def test_figures_are_keyed_by_values_never_by_labels(figures):
    assert list(figures["by_state"]) == Suggestion.State.values
    assert list(figures["by_result_class"]) == rules.codes()
    labels = set(Suggestion.State.labels) | {label for _code, label in rules.result_class_choices()}
    assert labels.isdisjoint([*figures["by_state"], *figures["by_result_class"]])
    assert all(isinstance(row["category_id"], int) for row in figures["by_category"])


def test_by_unit_counts_lead_and_co_parts_leaving_out_reassigned_and_withdrawn(data):
    rows = {r["unit"]: r for r in statistics.by_unit(data, today=TODAY)}
    assert {name: (r["lead"], r["co"]) for name, r in rows.items()} == {
        "市交通运输局": (
            2,
            1,
        ),  # leads no. 1 and 5, co-unit on no. 3; the part of no. 2 it handed on does not count
        "市住房和城乡建设管理局": (2, 0),
        "市卫生健康和体育局": (2, 0),
        "市财政局": (0, 1),  # its withdrawn no. 7 does not count
    }
    assert rows["市卫生健康和体育局"]["overdue"] == 1
    assert rows["市住房和城乡建设管理局"]["done"] == 2


def test_a_co_unit_that_never_answered_is_not_overdue_once_the_suggestion_is_closed(make):
    closed = make(
        "城建交通", "closed", lead="transport", assignment_state="replied", rating=3, result_class="A"
    )
    make.assign(closed, "finance", Assignment.Role.CO, "pending")  # its opinion was due on 6-03
    rows = {r["unit"]: r for r in statistics.by_unit(Suggestion.objects.all(), today=TODAY)}
    assert rows["市财政局"]["overdue"] == 0
    assert rows["市财政局"]["co"] == 1


def test_by_portfolio_groups_by_leader_with_unclassified_last(data):
    rows = statistics.by_portfolio(data)
    assert [(r["leader"], r["total"], r["key"], r["closed"]) for r in rows] == [
        ("副市长王建国", 3, 1, 3),
        ("副市长李秀英", 2, 0, 0),
        ("未归类", 1, 0, 0),
    ]
    assert rows[0]["completion_rate"] == 1.0
    assert rows[1]["completion_rate"] == 0.0


def test_session_figures_add_the_unit_and_portfolio_tables(data):
    figures = statistics.session_figures(data, today=TODAY)
    assert figures["total"] == 8
    assert len(figures["by_unit"]) == 4
    assert len(figures["by_portfolio"]) == 3


def test_figures_of_what_a_leader_may_see(data, leader_user):
    figures = statistics.summary(Suggestion.objects.visible_to(leader_user), today=TODAY)
    assert figures["total"] == 3
    assert per_category(figures)["城建交通"] == 2


def test_figures_do_not_depend_on_the_lists_ordering(data):
    ordered = statistics.summary(data.order_by("-number"), today=TODAY)
    plain = statistics.summary(data, today=TODAY)
    assert ordered == plain
    assert statistics.by_unit(data.order_by("title"), today=TODAY) == statistics.by_unit(data, today=TODAY)
    assert statistics.by_portfolio(data.order_by("title")) == statistics.by_portfolio(data)


def test_rates_are_none_when_there_is_nothing_to_divide(categories):
    figures = statistics.summary(Suggestion.objects.none(), today=TODAY)
    assert figures["total"] == 0
    for name in (
        "completion_rate",
        "reply_rate",
        "satisfaction_rate",
        "satisfied_rate",
        "basically_satisfied_rate",
        "on_time_rate",
        "contact_rate",
    ):
        assert figures[name] is None, name
    assert per_category(figures) == dict.fromkeys(categories, 0)
    assert {k: figures["commitments"][k] for k in ("total", "done", "open")} == {
        "total": 0,
        "done": 0,
        "open": 0,
    }


def test_rate_rounds_to_four_places():
    assert statistics.rate(61, 61) == 1.0
    assert statistics.rate(1, 3) == 0.3333
    assert statistics.rate(0, 0) is None


def test_summary_takes_the_same_few_queries_however_many_suggestions(
    data, make, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        statistics.summary(Suggestion.objects.all(), today=TODAY)
    for _ in range(20):
        s = make("城建交通", "closed", lead="transport", co=["finance"], rating=3, result_class="A")
        contact(s)
    with django_assert_max_num_queries(len(few)), CaptureQueriesContext(connection) as many:
        figures = statistics.summary(Suggestion.objects.all(), today=TODAY)
    assert figures["total"] == 28
    assert len(many) == len(few) <= 7  # 承诺事项按期落实率 is one more
