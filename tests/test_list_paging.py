"""The list's pages (``suggestions.paging.DeferredJoinPaginator``): a page's rows come in one query with their
超期 mark, and a keyword search counts its matches with the page's ids, so it runs once a page; the count,
the rows, their order and a page past the end are as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions.models import Suggestion
from suggestions.paging import DeferredJoinPaginator
from tests.test_list_search_text import ROW_NUMBER, register_many
from tests.view_helpers import text

pytestmark = pytest.mark.django_db

LIST = reverse("suggestions:list")


def numbers(response):
    assert response.status_code == 200
    return [int(n) for n in ROW_NUMBER.findall(text(response))]


def reads_of_suggestions(queries):
    return [q["sql"] for q in queries if 'FROM "suggestions_suggestion"' in q["sql"]]


@pytest.fixture
def seventy(office, session, categories, deputies):
    register_many(office, session, categories, deputies, range(1, 71))


@pytest.mark.parametrize(
    ("count_with_page", "number", "first", "last"),
    [(False, 1, 1, 30), (True, 1, 1, 30), (True, 3, 61, 70), (True, 9, 61, 70), (True, "x", 1, 30)],
)
def test_a_page_holds_the_same_rows_counted_apart_or_with_the_page(
    seventy, count_with_page, number, first, last
):
    rows = Suggestion.objects.order_by("session_id", "number")
    paginator = DeferredJoinPaginator(rows, 30, count_with_page=count_with_page)
    page = paginator.get_page(number)  # 9: past the end, the last page; "x": the first
    assert paginator.count == 70 and paginator.num_pages == 3
    assert [s.number for s in page.object_list] == list(range(first, last + 1))


def test_a_search_with_no_match_is_an_empty_first_page(seventy):
    paginator = DeferredJoinPaginator(Suggestion.objects.none().order_by("number"), 30, count_with_page=True)
    page = paginator.get_page(1)
    assert paginator.count == 0 and list(page.object_list) == []


def test_a_page_is_its_count_and_one_query_and_a_search_page_its_search_and_the_rows(client, office, seventy):
    client.force_login(office)
    with CaptureQueriesContext(connection) as queries:
        assert numbers(client.get(LIST, {"page": 2})) == list(range(31, 61))
    assert len(reads_of_suggestions(queries)) == 2  # the count, the rows with their ids' subquery
    with CaptureQueriesContext(connection) as queries:
        html = text(client.get(LIST, {"q": "供热", "page": 3}))
    assert "共 70 件" in html and [int(n) for n in ROW_NUMBER.findall(html)] == list(range(61, 71))
    searched = [sql for sql in reads_of_suggestions(queries) if "suggestionsearchtext" in sql]
    assert len(searched) == 1 and "OVER ()" in searched[0]  # the search once: the count with the ids
    assert numbers(client.get(LIST, {"q": "供热", "page": 9})) == list(range(61, 71))  # the last page
    assert "没有符合条件的建议" in text(client.get(LIST, {"q": "没有这样的词"}))


def test_the_list_marks_an_overdue_row_from_the_rows_own_query(client, journey, office, units):
    journey.assign()
    journey.lead.deadline = journey.lead.assigned_on  # past: the part is late
    journey.lead.save()
    client.force_login(office)
    with CaptureQueriesContext(connection) as queries:
        html = text(client.get(LIST))
    assert '<span class="badge text-bg-danger">超期</span>' in html
    assert not [q for q in queries if q["sql"].startswith('SELECT "suggestions_assignment"')]  # no prefetch


def test_a_sort_with_ties_is_made_whole_by_session_and_number(client, office, seventy):
    """Sorted by category (many suggestions tie), then 届次 and 编号: the pages hold each suggestion once, and a
    page costs the count and its rows as the default order does."""
    client.force_login(office)
    with CaptureQueriesContext(connection) as queries:
        listed = numbers(client.get(LIST, {"ordering": "category", "page": 3}))
    assert len(listed) == 10
    assert len(reads_of_suggestions(queries)) == 2  # the count, the rows
    pages = [numbers(client.get(LIST, {"ordering": "category", "page": n})) for n in (1, 2, 3)]
    every = [number for page in pages for number in page]
    assert len(every) == len(set(every)) == 70
    paginator = DeferredJoinPaginator(Suggestion.objects.order_by("number"), 30)
    assert not paginator._total_order()  # numbers repeat across sessions
    assert DeferredJoinPaginator(Suggestion.objects.order_by("session", "-number"), 30)._total_order()


def test_the_office_list_and_a_search_cost_a_fixed_few_queries(client, office, seventy):
    client.force_login(office)
    postgresql = connection.vendor == "postgresql"  # the five choice tables in one round trip
    for params, most in (
        ({"session": "all"}, 9 if postgresql else 13),
        ({"q": "供热"}, 10 if postgresql else 14),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST, params).status_code == 200
        assert len(queries) <= most, [q["sql"][:60] for q in queries]
