"""建议交办单位 in the browser: the office reads the proposed units above the assign form, a click fills the
field (static/js/form-tools.js, no inline script), and the assignment goes to the unit it chose."""

import pytest
from playwright.sync_api import expect

from suggestions import demo, recommend, search
from suggestions.models import Suggestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_click_on_the_proposal_fills_the_lead_unit_and_the_assignment_follows(demo_db, desk):
    office = desk("office", demo.DEMO_PASSWORD)
    page = office.page
    target = Suggestion.objects.filter(session=demo_db, state=Suggestion.State.REGISTERED).order_by("number")[
        0
    ]
    proposed = recommend.proposals(search.suggestion_text(target), exclude=target.pk)
    lead, co = proposed["lead"][0].unit, proposed["co"][0].unit
    office.open(f"/suggestions/{target.pk}/")
    page.locator("[data-action=assign]").first.click()
    modal = page.locator("#action-assign-s")
    expect(modal).to_be_visible()
    assert (
        modal.locator("select[name=lead_unit]").input_value() == ""
    )  # nothing chosen until the office clicks
    modal.locator(f"button[data-fill=lead_unit][data-value='{lead.pk}']").click()
    modal.locator(f"button[data-fill=co_units][data-value='{co.pk}']").click()
    assert modal.locator("select[name=lead_unit]").input_value() == str(lead.pk)
    with page.expect_navigation():
        modal.locator("button[type=submit]").first.click()
    assert "已交办" in page.content()
    target.refresh_from_db()
    assert target.lead_unit == lead
    assert target.assignments.filter(role="co", unit=co).exists()
