"""The list page's selects: each small table read once a request, shared by the filters and the batch bar
(``suggestions/choicelists.py``), and the selects written in Python with Django's own markup (``widgets.py``)."""

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions.widgets import FastSelect, FastSelectMultiple
from tests.view_helpers import text

pytestmark = pytest.mark.django_db

LIST = reverse("suggestions:list")
BATCH = reverse("suggestions:batch")


def reads_of(queries, table):
    return [q["sql"] for q in queries if re.search(rf'FROM "{table}"', q["sql"])]


def options(html, name):
    block = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert block, name
    return re.findall(r"<option[^>]*>(.*?)</option>", block.group(1))


def test_the_office_list_reads_each_choice_table_once(client, registered, office, units):
    client.force_login(office)
    with CaptureQueriesContext(connection) as queries:
        html = text(client.get(LIST))
    # the filter's 主办单位 and 协办单位 and the batch bar's two pickers: one read of the units for all four
    assert len(reads_of(queries, "suggestions_handlingunit")) == 1
    for table in ("category", "leader", "delegation", "deputy", "congresssession"):
        assert len(reads_of(queries, f"suggestions_{table}")) <= 1, table
    assert not [q for q in queries if "DECLARE" in q["sql"]]  # no server-side cursor for a short list
    assert "市交通运输局" in options(html, "co_units")
    for name in ("lead_unit", "co_unit", "deputy"):  # asked for as a person types (test_filter_options.py)
        assert options(html, name) == ["全部"], name


def test_an_inactive_unit_is_offered_by_the_filter_but_not_by_the_batch_bar(
    client, registered, office, units
):
    units["finance"].is_active = False
    units["finance"].save()
    client.force_login(office)
    html = text(client.get(LIST))
    found = client.get(reverse("suggestions:filter_options", args=["lead_unit"]), {"q": "财政"}).json()
    assert [r["text"] for r in found["results"]] == ["市财政局"]  # its past suggestions can still be found
    assert "市财政局" not in options(html, "co_units") and "市交通运输局" in options(html, "co_units")


def test_a_chosen_filter_value_is_checked_against_the_shared_rows(client, registered, office, units, session):
    client.force_login(office)
    response = client.get(LIST, {"session": "all", "lead_unit": units["transport"].pk})
    assert response.status_code == 200
    assert f'<option value="{units["transport"].pk}" selected>市交通运输局</option>' in text(response)
    assert client.get(LIST, {"lead_unit": 99999}).status_code == 400  # no such unit: refused as before
    assert client.get(LIST, {"lead_unit": "abc"}).status_code == 400
    assert client.get(LIST, {"session": session.pk}).status_code == 200


def test_a_refused_batch_redraws_the_list_reading_the_units_once(client, registered, office, units):
    client.force_login(office)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(BATCH, {"action": "assign", "query": "", "lead_unit": units["transport"].pk})
    assert response.status_code == 400 and "请先勾选要办理的建议。" in text(response)
    assert len(reads_of(queries, "suggestions_handlingunit")) == 1


def test_an_assignment_from_the_batch_bar_still_takes_an_active_unit_only(client, registered, office, units):
    units["finance"].is_active = False
    units["finance"].save()
    client.force_login(office)
    post = {"action": "assign", "ids": [registered.pk], "lead_unit": units["finance"].pk, "query": ""}
    response = client.post(BATCH, post)
    assert response.status_code == 400  # not among the picker's options: refused
    registered.refresh_from_db()
    assert registered.lead_unit is None


CHOICES = [
    ("", "全部"),
    (1, 'A&B "局" <x>'),
    ("组", [(2, "甲'乙"), (3, "丙")]),
]


@pytest.mark.parametrize(
    ("django_widget", "fast_widget", "value"),
    [
        (forms.Select, FastSelect, 2),
        (forms.SelectMultiple, FastSelectMultiple, [1, 3]),
    ],
)
def test_the_python_select_writes_the_same_html_as_django(django_widget, fast_widget, value):
    attrs = {"class": "form-select", "data-picker": "", "disabled": True, "hidden": False, "title": '<"&>'}
    expected = django_widget(attrs=attrs, choices=CHOICES).render("unit", value)
    assert fast_widget(attrs=attrs, choices=CHOICES).render("unit", value) == expected
    assert "A&amp;B &quot;局&quot; &lt;x&gt;" in expected
