"""The figures read in fewer passes (one aggregate for the counts, per state, per result class and per category;
the per-unit tables grouped by the unit's id) are the figures counted the slow way: row by row in Python from
the suggestions and their parts, on random data and on the demo, whose rows the workflow wrote."""

import datetime
import random
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import rules, statistics
from suggestions.models import (
    Assignment,
    Category,
    CongressSession,
    ContactRecord,
    RatingLevel,
    Suggestion,
)
from suggestions.workflow.handlers import mark_contacted

S = Suggestion.State
A = Assignment.State
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2025, 7, 1)


def counted(suggestions, today):
    """The summary's counts, by state, by result class and by category, from the rows one at a time."""
    rows = list(suggestions.prefetch_related("assignments__contacts"))
    handled = [s for s in rows if s.state not in statistics.NOT_HANDLED]

    def n(condition, among=rows):
        return sum(1 for s in among if condition(s))

    def contacted(s, methods=ContactRecord.Method.values):
        """From its contact records (of any part, moved away or not), not from the flags the workflow keeps."""
        return any(c.method in methods for p in s.assignments.all() for c in p.contacts.all())

    def on_time(s):
        return bool(s.replied_at and s.deadline and s.replied_at.astimezone(SHANGHAI).date() <= s.deadline)

    def overdue(s):
        parts = [p for p in s.assignments.all() if p.state in Assignment.UNIT_OPEN_STATES]
        return s.state in Suggestion.HANDLING_STATES and any(p.deadline < today for p in parts)

    figures = {
        "total": len(rows),
        "government_handled": len(handled),
        "not_government": n(lambda s: s.state == S.NOT_GOVERNMENT),
        "withdrawn": n(lambda s: s.state == S.WITHDRAWN),
        "key": n(lambda s: s.is_key, handled),
        "key_closed": n(lambda s: s.is_key and s.state == S.CLOSED),
        "closed": n(lambda s: s.state == S.CLOSED),
        "replied": n(lambda s: s.state in statistics.DONE),
        "rated": n(lambda s: s.rating is not None),
        "satisfied": n(lambda s: s.rating == RatingLevel.SATISFIED),
        "basically_satisfied": n(lambda s: s.rating == RatingLevel.BASIC),
        "unsatisfied": n(lambda s: s.rating == RatingLevel.UNSATISFIED),
        "first_rated": n(lambda s: s.first_rating is not None),
        "first_satisfied": n(lambda s: s.first_rating == RatingLevel.SATISFIED),
        "first_basically_satisfied": n(lambda s: s.first_rating == RatingLevel.BASIC),
        "first_unsatisfied": n(lambda s: s.first_rating == RatingLevel.UNSATISFIED),
        "ever_unsatisfied": n(lambda s: s.rated_unsatisfied),
        "rehandling": n(lambda s: s.state == S.REHANDLING),
        "contacted": n(contacted, handled),
        "face_to_face": n(lambda s: contacted(s, ContactRecord.FACE_TO_FACE), handled),
        "on_time": n(on_time),
        "overdue": n(overdue),
        "by_state": {state: n(lambda s, state=state: s.state == state) for state in S},
        "by_result_class": {
            code: n(lambda s, code=code: s.state in statistics.DONE and s.result_class == code)
            for code in rules.codes()
        },
    }
    categories = Category.objects.all()
    per_category = {c.pk: n(lambda s, c=c: s.category_id == c.pk, handled) for c in categories}
    figures["by_category"] = [
        {"category_id": c.pk, "name": c.name, "count": per_category[c.pk]}
        for c in categories
        if c.is_active or per_category[c.pk]
    ]
    return figures


def counted_by_unit(suggestions, today):
    """``statistics.by_unit`` row by row: each unit's current parts of the government-handled suggestions."""
    handled = {s.pk: s for s in suggestions.exclude(state__in=statistics.NOT_HANDLED)}
    parts = Assignment.objects.current().filter(suggestion__in=list(handled)).select_related("unit")
    units = {}
    for part in parts:
        row = units.setdefault(
            part.unit, {"lead": set(), "co": set(), "separate": set(), "done": 0, "overdue": 0}
        )
        row[part.role].add(part.suggestion_id)
        row["done"] += part.state in (A.REPLIED, A.OPINION_SENT)
        row["overdue"] += (
            part.is_overdue(today) and handled[part.suggestion_id].state in Suggestion.HANDLING_STATES
        )
    ordered = sorted(units, key=lambda unit: (unit.order, unit.name))
    return [
        {
            "unit_id": unit.pk,
            "unit": unit.name,
            "lead": len(units[unit]["lead"]),
            "co": len(units[unit]["co"]),
            "separate": len(units[unit]["separate"]),
            "done": units[unit]["done"],
            "overdue": units[unit]["overdue"],
        }
        for unit in ordered
    ]


def counted_unit_handling(suggestions, today):
    """``statistics.unit_handling`` row by row: each unit's current 主办 and 分办 parts."""
    handled = {s.pk: s for s in suggestions.exclude(state__in=statistics.NOT_HANDLED)}
    answering = [Assignment.Role.LEAD, Assignment.Role.SEPARATE]
    parts = Assignment.objects.current().filter(suggestion__in=list(handled), role__in=answering)
    units = {}
    for part in parts.select_related("unit"):
        s = handled[part.suggestion_id]
        row = units.setdefault(
            part.unit, {"lead": set(), "separate": set(), "rated": set(), "pleased": set()}
        )
        row.setdefault("unsatisfied", set())
        row[part.role].add(s.pk)
        row["replied"] = row.get("replied", 0) + (part.state == A.REPLIED)
        done = part.completed_at and part.completed_at.astimezone(SHANGHAI).date()
        on_time = part.state == A.REPLIED and bool(done) and done <= part.deadline
        row["on_time"] = row.get("on_time", 0) + on_time
        late = part.is_overdue(today) and s.state in Suggestion.HANDLING_STATES
        row["overdue"] = row.get("overdue", 0) + late
        for key, holds in [
            ("rated", s.rating is not None),
            ("pleased", s.rating in statistics.PLEASED),
            ("unsatisfied", s.rated_unsatisfied),
        ]:
            if holds:
                row[key].add(s.pk)
    return [
        {
            "unit_id": unit.pk,
            "unit": unit.name,
            "lead": len(row["lead"]),
            "separate": len(row["separate"]),
            "replied": row["replied"],
            "on_time": row["on_time"],
            "on_time_rate": statistics.rate(row["on_time"], row["replied"]),
            "overdue": row["overdue"],
            "rated": len(row["rated"]),
            "pleased": len(row["pleased"]),
            "satisfaction_rate": statistics.rate(len(row["pleased"]), len(row["rated"])),
            "unsatisfied": len(row["unsatisfied"]),
        }
        for unit, row in sorted(units.items(), key=lambda item: (item[0].order, item[0].name))
    ]


def assert_same(suggestions, today):
    figures = statistics.summary(suggestions, today)
    expected = counted(suggestions, today)
    assert {key: figures[key] for key in expected} == expected
    assert statistics.by_unit(suggestions, today) == counted_by_unit(suggestions, today)
    assert statistics.unit_handling(suggestions, today) == counted_unit_handling(suggestions, today)


def fill_at_random(seed, session, categories, deputies, delegation, units, leaders, start=1):
    """Forty suggestions with every combination the figures tell apart drawn at random: states, categories,
    result classes, key or not, final and first ratings, 曾评价不满意, replied before or after the deadline,
    parts of each role in any state, late or not, some moved to another unit, and contact records of each
    method on some of them."""
    rng = random.Random(seed)
    leader = next(iter(leaders.values()))
    ratings = [None, *RatingLevel.values]
    codes = [*rules.codes(), ""]
    for number in range(start, start + 40):
        state = rng.choice(S.values)
        deadline = TODAY + datetime.timedelta(days=rng.randint(-40, 40))
        replied = datetime.datetime(2025, 6, 1, 23, 30, tzinfo=SHANGHAI) + datetime.timedelta(
            days=rng.randint(0, 60)
        )
        is_key = rng.random() < 0.3
        s = Suggestion.objects.create(
            session=session,
            number=number,
            title=f"随机建议{number}",
            lead_deputy=deputies["lead"],
            delegation=delegation,
            category=rng.choice(list(categories.values())),
            state=state,
            deadline=deadline if rng.random() < 0.9 else None,
            replied_at=replied if rng.random() < 0.6 else None,
            result_class=rng.choice(codes),
            rating=rng.choice(ratings),
            first_rating=rng.choice(ratings),
            rated_unsatisfied=rng.random() < 0.3,
            is_key=is_key,
            supervising_leader=leader if is_key else None,
        )
        chosen = rng.sample(list(units.values()), rng.randint(0, 3))
        for i, unit in enumerate(chosen):
            role = (
                Assignment.Role.LEAD if i == 0 else rng.choice([Assignment.Role.CO, Assignment.Role.SEPARATE])
            )
            part_deadline = TODAY + datetime.timedelta(days=rng.randint(-30, 30))
            part = Assignment.objects.create(
                suggestion=s,
                unit=unit,
                role=role,
                state=rng.choice(A.values),
                assigned_on=datetime.date(2025, 3, 3),
                deadline=part_deadline,
                original_deadline=part_deadline,
                completed_at=replied + datetime.timedelta(hours=rng.randint(-2, 2))
                if rng.random() < 0.7
                else None,
            )
            # contact records of any method (none, one or two per part), flagged as ``log_contact`` does
            methods = rng.sample(ContactRecord.Method.values, rng.choice([0, 0, 1, 2]))
            for method in methods:
                ContactRecord.objects.create(
                    assignment=part,
                    method=method,
                    contacted_on=datetime.date(2025, 4, 1),
                    participants="周敏",
                    summary="听取意见",
                )
            mark_contacted(s, methods)


@pytest.mark.parametrize("seed", range(6))
def test_the_figures_equal_those_counted_row_by_row_on_random_data(
    seed, session, categories, deputies, delegation, units, leaders
):
    fill_at_random(seed, session, categories, deputies, delegation, units, leaders)
    assert_same(Suggestion.objects.all(), TODAY)
    assert_same(Suggestion.objects.filter(category=categories["城建交通"]), TODAY)


@pytest.mark.usefixtures("seeded")
def test_the_figures_equal_those_counted_row_by_row_on_the_demo():
    today = datetime.date.today()
    for session in CongressSession.objects.all():
        assert_same(Suggestion.objects.filter(session=session), today)
    assert_same(Suggestion.objects.all(), today)


def test_the_summary_reads_the_suggestions_once_whatever_the_categories_and_classes(
    session, categories, deputies, delegation, units, leaders
):
    fill_at_random(1, session, categories, deputies, delegation, units, leaders)
    with CaptureQueriesContext(connection) as few:
        statistics.summary(Suggestion.objects.all(), TODAY)
    for i in range(3):
        Category.objects.create(name=f"新类别{i}", order=10 + i)
    with CaptureQueriesContext(connection) as more:
        statistics.summary(Suggestion.objects.all(), TODAY)
    assert len(more) == len(few)
    passes = [q["sql"] for q in few if 'COUNT("suggestions_suggestion"."id")' in q["sql"]]
    assert len(passes) == 1, passes  # counts, states, result classes and categories in one aggregate


def test_the_pages_with_figures_cost_the_same_queries_with_more_suggestions(
    client, office, session, categories, deputies, delegation, units, leaders
):
    """The dashboard (one session and all sessions) and the office's home, with 80 suggestions in two sessions
    and then with 120 in three, more categories and more units' parts (the office's to-do cards each cost a
    query once they hold a row: the first fill gives each of them rows)."""
    session.is_current = True
    session.save(update_fields=["is_current"])
    client.force_login(office)
    pages = [
        reverse("suggestions:dashboard") + f"?session={session.pk}",
        reverse("suggestions:dashboard") + "?session=all",
        reverse("suggestions:home"),
    ]
    fill_at_random(2, session, categories, deputies, delegation, units, leaders)
    earlier = CongressSession.objects.create(
        name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4
    )
    fill_at_random(3, earlier, categories, deputies, delegation, units, leaders)

    def queries():
        counts = []
        for url in pages:
            with CaptureQueriesContext(connection) as seen:
                assert client.get(url).status_code == 200, url
            counts.append(len(seen))
        return counts

    few = queries()
    first = CongressSession.objects.create(name="第八届人民代表大会第三次会议", year=2023, term=8, meeting=3)
    fill_at_random(4, first, categories, deputies, delegation, units, leaders)
    fill_at_random(5, session, categories, deputies, delegation, units, leaders, start=41)
    for i in range(2):
        Category.objects.create(name=f"新类别{i}", order=10 + i)
    assert queries() == few
