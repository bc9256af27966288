"""Printing a page: base.html links the print stylesheet, which hides the navigation, the buttons, the action
card and the dialogs, and lays the page out on A4. (tests/browser/test_documents_and_homes.py prints the
suggestion's page in Chromium.)"""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tests.view_helpers import detail_url, text

pytestmark = pytest.mark.django_db


def print_rules():
    path = finders.find("css/print.css")
    assert path, "static/css/print.css is missing"
    css = re.sub(r"/\*.*?\*/", "", Path(path).read_text(encoding="utf-8"), flags=re.S)
    assert css.lstrip().startswith("@media print")
    return css


def hidden_selectors(css):
    hidden = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        if re.search(r"display\s*:\s*none", body):
            hidden.update(s.strip() for s in selectors.split(","))
    return hidden


def test_the_stylesheet_hides_the_navigation_the_buttons_and_the_actions():
    hidden = hidden_selectors(print_rules())
    assert {".navbar", "button", ".btn", "#actions", ".modal", ".breadcrumb"} <= hidden


def test_the_page_is_laid_out_on_a4():
    css = print_rules()
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css)
    assert 'main > .row > [class*="col-"]' in css  # one column, like a letter


def test_every_page_links_the_print_stylesheet(client, journey, office):
    journey.assign()
    client.force_login(office)
    html = text(client.get(detail_url(journey.s)))
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    assert 'id="documents"' in html and "d-print-none" in html  # the print button does not print itself
