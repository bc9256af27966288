"""The list's search rows (``suggestions.listsearch``) follow what the workflow changes, and the list's pages,
deep ones included, cost the same number of queries whatever the data's size."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import listsearch, workflow
from suggestions.models import SuggestionSearchText
from tests.conftest import AT
from tests.view_helpers import text

pytestmark = pytest.mark.django_db

LIST = reverse("suggestions:list")
ROW_NUMBER = re.compile(r"<td class=\"text-nowrap\">(?:<input[^>]*>)?(?:<label[^>]*>)?第(\d+)号")
DAY = datetime.timedelta(days=1)


def search(client, user, q, **params):
    client.force_login(user)
    response = client.get(LIST, {"q": q, **params})
    assert response.status_code == 200
    return [int(n) for n in ROW_NUMBER.findall(text(response))]


def register_many(office, session, categories, deputies, numbers, title="关于改善城区供热的建议"):
    entries = [
        {
            "session": session,
            "number": n,
            "title": f"{title}（{n}）",
            "content": "部分小区冬季供热不达标。",
            "lead_deputy": deputies["other"],
            "category": categories["城建交通"],
        }
        for n in numbers
    ]
    return workflow.register_many(user=office, at=AT, entries=entries)


def test_a_two_character_term_finds_the_title_and_the_content(client, registered, office):
    assert search(client, office, "农村") == [1]  # the title
    assert search(client, office, "破损") == [1]  # the content
    assert search(client, office, "损，") == [1]  # punctuation is a character like any other
    assert search(client, office, "农村破损") == []  # each bigram is there, the term is not


def test_a_term_does_not_run_from_the_title_into_the_content(client, registered, office):
    # the title ends 「…的建议」, the content begins 「部分…」: no suggestion says 「建议部分」
    assert search(client, office, "建议部分") == []


def test_letters_are_found_in_either_case(client, office, session, categories, deputies):
    workflow.register(
        user=office, at=AT, session=session, number=5, title="关于G108国道改造的建议", content="",
        lead_deputy=deputies["other"], category=categories["城建交通"],
    )  # fmt: skip
    assert search(client, office, "g108") == [5]
    assert search(client, office, "G108国道") == [5]
    assert search(client, office, "108国道") == [5]  # no letter in the term: the text is not upper-cased
    with CaptureQueriesContext(connection) as queries:
        assert search(client, office, "08国") == [5]
    searched = [q["sql"] for q in queries if "suggestionsearchtext" in q["sql"]]
    assert searched and not [sql for sql in searched if re.search(r'UPPER\("\w+"\."text"', sql)]


def test_an_edit_is_found_by_its_new_title_and_not_its_old(client, registered, office):
    workflow.perform("edit", user=office, suggestion=registered, at=AT, title="关于增设公交站台的建议")
    assert search(client, office, "公交") == [1]
    assert search(client, office, "关于农村") == []  # the old title (the content still says 农村道路)


def test_a_unit_is_found_once_assigned_and_not_after_its_part_moves_away(
    client, journey, office, clerk, units
):
    assert search(client, office, "交通局") == []  # not assigned yet
    journey.assign()
    assert search(client, office, "交通局") == [1]
    journey.sign()
    old = journey.lead
    workflow.perform(
        "request_reassignment", user=clerk, suggestion=journey.s, assignment=old, at=AT + DAY,
        reason="该路段属住建部门管理", proposed_unit=units["housing"],
    )  # fmt: skip
    workflow.perform(
        "rule_reassignment", user=office, suggestion=journey.s, assignment=old, at=AT + 2 * DAY, approve=True
    )
    assert search(client, office, "交通局") == []  # the part moved to the housing bureau
    assert search(client, office, units["housing"].name) == [1]


def test_a_renamed_unit_or_deputy_is_found_by_the_new_name_at_once(client, journey, office, units, deputies):
    journey.assign()
    units["transport"].name, units["transport"].short_name = "市交通和物流局", "物流局"
    units["transport"].save()
    deputies["lead"].name = "赵新名"
    deputies["lead"].save()
    assert search(client, office, "物流局") == [1]
    assert search(client, office, "新名") == [1]


def test_a_reply_number_is_found_once_drafted_by_those_who_may_read_it(client, journey, office, clerk):
    journey.assign().sign().draft()
    assert search(client, clerk, "霍交") == [1]  # the unit's own draft, two characters
    assert search(client, office, "霍交") == []  # a draft the office does not read yet


def test_fill_writes_the_rows_of_suggestions_registered_before_the_search_existed(client, registered, office):
    SuggestionSearchText.objects.all().delete()
    assert search(client, office, "农村") == []
    assert listsearch.fill() == 1
    assert search(client, office, "农村") == [1]
    row = SuggestionSearchText.objects.get(suggestion=registered)
    assert row.text == "关于农村道路提档升级的建议\n部分农村道路路面破损，建议提档升级。"
    assert {"农村", "破损", f"d:{registered.lead_deputy_id}"} <= set(row.grams.split(" "))


def test_a_deep_page_lists_the_same_rows_in_the_same_order(client, office, session, categories, deputies):
    register_many(office, session, categories, deputies, range(1, 71))
    client.force_login(office)
    for page, first in ((1, 1), (2, 31), (3, 61)):
        html = text(client.get(LIST, {"page": page}))
        numbers = [int(n) for n in ROW_NUMBER.findall(html)]
        assert numbers == list(range(first, min(first + 30, 71))), page
        assert "共 70 件" in html
    descending = [
        int(n) for n in ROW_NUMBER.findall(text(client.get(LIST, {"page": 3, "ordering": "-number"})))
    ]
    assert descending == list(range(10, 0, -1))
    assert search(client, office, "供热", page=3) == list(range(61, 71))


LIST_PAGES = {
    "unfiltered": {},
    "filtered": {"state": "registered", "ordering": "-number"},
    "searched": {"q": "供热"},
    "searched, one character": {"q": "热"},
    "a deputy's name": {"q": "孙志"},
    "deep page": {"page": 3},
}


@pytest.mark.parametrize("params", LIST_PAGES.values(), ids=LIST_PAGES.keys())
def test_list_pages_cost_the_same_queries_whatever_the_rows(
    client, office, session, categories, deputies, params, django_assert_max_num_queries
):
    register_many(office, session, categories, deputies, range(1, 71))
    client.force_login(office)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST, params).status_code == 200
    register_many(office, session, categories, deputies, range(71, 251))
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST, params)
    assert response.status_code == 200 and "共 250 件" in text(response)


def test_the_list_finds_a_unit_among_the_units_its_selects_read(client, journey, office, units):
    journey.assign()
    for term in ("交通局", units["transport"].name):
        with CaptureQueriesContext(connection) as queries:
            assert search(client, office, term) == [1]
        unit_queries = [q["sql"] for q in queries if 'FROM "suggestions_handlingunit"' in q["sql"]]
        assert not [sql for sql in unit_queries if "LIKE" in sql]  # the shared rows, not a LIKE query
    with CaptureQueriesContext(connection) as queries:
        assert search(client, office, "Ab局") == []  # a cased letter: asked of the database, as before
    assert [q for q in queries if 'FROM "suggestions_handlingunit"' in q["sql"] and "LIKE" in q["sql"]]
