"""The list page's selects: each small table read once a request, shared by the filters and the batch bar
(``suggestions/choicelists.py``), and the selects written in Python with Django's own markup (``widgets.py``)."""

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe

from suggestions.widgets import FastSelect, FastSelectMultiple, speed_up
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


def test_on_postgresql_the_choice_tables_are_read_in_one_round_trip(client, registered, office, units):
    client.force_login(office)
    with CaptureQueriesContext(connection) as queries:
        html = text(client.get(LIST, {"session": "all"}))
    tables = ("congresssession", "category", "leader", "delegation", "handlingunit")
    reads = {q["sql"] for table in tables for q in queries if f'FROM "suggestions_{table}"' in q["sql"]}
    reads = {sql for sql in reads if not sql.startswith('SELECT "suggestions_suggestion"')}
    assert len(reads) == (1 if connection.vendor == "postgresql" else len(tables))
    assert "市交通运输局" in options(html, "co_units") and len(options(html, "session")) > 1


def test_the_rows_show_their_category_and_unit_from_the_shared_rows_without_joining_them(
    client, journey, office
):
    journey.assign()
    client.force_login(office)
    with CaptureQueriesContext(connection) as queries:
        html = text(client.get(LIST))
    row = html.split("关于农村道路提档升级的建议")[1].split("</tr>")[0]
    assert "城建交通" in row and "市交通运输局" in row
    (rows,) = [q["sql"] for q in queries if q["sql"].startswith('SELECT "suggestions_suggestion"."id"')]
    assert "suggestions_category" not in rows and "suggestions_handlingunit" not in rows
    assert 'JOIN "suggestions_deputy"' in rows


@pytest.mark.parametrize(
    ("django_widget", "value"),
    [
        (forms.TextInput, 'A&B "局" <x>'),
        (forms.TextInput, mark_safe("<b>已转义</b>")),
        (forms.TextInput, ""),
        (forms.NumberInput, 0),
        (forms.NumberInput, None),
        (forms.HiddenInput, "session=all&q=供热"),
    ],
)
def test_the_python_inputs_write_the_same_html_as_django(django_widget, value):
    attrs = {
        "class": "form-control",
        "data-when": "action=chase",
        "required": True,
        "hidden": False,
        "title": '<"&>',
    }
    field = forms.Field(widget=django_widget(attrs=attrs))
    expected = field.widget.render("q", value)
    speed_up(field)
    assert type(field.widget) is not django_widget
    assert field.widget.render("q", value) == expected


FLAT = [("", "全部"), (1, 'A&B "局" <x>'), (2, "甲'乙"), (None, "空"), (3, mark_safe("<b>丙</b>"))]


@pytest.mark.parametrize(
    ("django_widget", "fast_widget", "value"),
    [
        (forms.Select, FastSelect, 2),
        (forms.Select, FastSelect, None),
        (forms.Select, FastSelect, ""),
        (forms.SelectMultiple, FastSelectMultiple, [1, 3]),
        (forms.SelectMultiple, FastSelectMultiple, []),
    ],
)
def test_the_options_written_straight_from_flat_choices_are_django_s(django_widget, fast_widget, value):
    attrs = {"class": "form-select", "data-picker": "", "required": True, "title": '<"&>'}
    expected = django_widget(attrs=attrs, choices=FLAT).render("unit", value)
    assert fast_widget(attrs=attrs, choices=FLAT).render("unit", value) == expected


@pytest.mark.parametrize("multiple", [False, True])
def test_a_unit_picker_writes_its_keywords_as_the_option_by_option_path_does(units, multiple):
    from suggestions.forms.base import picker, unit_keywords
    from suggestions.models import HandlingUnit
    from suggestions.widgets import select_html

    field_class = forms.ModelMultipleChoiceField if multiple else forms.ModelChoiceField
    field = field_class(
        queryset=HandlingUnit.objects.all(),
        widget=picker("输入单位名称查找", multiple=multiple, keywords=unit_keywords),
    )
    widget = field.widget
    value = [units["transport"].pk, units["finance"].pk] if multiple else units["transport"].pk
    html = widget.render("lead_unit", value, attrs={"id": "id_lead_unit"})
    assert html == select_html(widget.get_context("lead_unit", value, {"id": "id_lead_unit"})["widget"])
    assert f'value="{units["transport"].pk}" selected data-keywords="' in html
