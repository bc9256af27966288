"""The suggestion page's main query (ten tables joined for one row) is planned with its joins as written on
PostgreSQL, and the setting ends with its own transaction: the next query plans as usual."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suggestions import access
from suggestions.models import Suggestion
from suggestions.planning import joins_as_written


def show():
    with connection.cursor() as cursor:
        cursor.execute("SHOW join_collapse_limit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_suggestion_page_is_planned_as_written_and_the_setting_ends_with_it(registered, office):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL 才有 join_collapse_limit")
    usual = show()
    with CaptureQueriesContext(connection) as seen:
        page = access.suggestion_page(office, registered.pk)
    assert page.suggestion.pk == registered.pk
    sql = [q["sql"] for q in seen]
    assert "SET LOCAL join_collapse_limit = 1" in sql[1]  # right after BEGIN, before the page's rows
    assert any('FROM "suggestions_suggestion"' in q for q in sql[2:])
    assert show() == usual == "8"


def test_elsewhere_it_changes_nothing(registered):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite 没有这项设置")
    with CaptureQueriesContext(connection) as seen, joins_as_written(Suggestion):
        Suggestion.objects.get(pk=registered.pk)
    assert len(seen) == 1
