"""The Content-Security-Policy in Chromium: on the main pages of the office, a unit and a deputy (the admin
included) the browser reports no violation, so every script the pages need comes from our own files; and the
action dialog a failed form reopens (once an inline script, now static/js/page.js) still opens."""

import pytest
from playwright.sync_api import expect

from suggestions import demo
from suggestions.models import Suggestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = demo.DEMO_PASSWORD
# Every violation the page sees, whatever the console says: the event the browser fires for each one.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def watched(desk, username):
    person = desk(username, PASSWORD)
    person.page.add_init_script(LISTEN)
    person.console = []
    person.page.on(
        "console",
        lambda message: (
            person.console.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return person


def visit(person, path):
    response = person.page.goto(f"{person.base_url}{path}")
    assert response.status == 200, path
    assert "script-src 'self'" in response.headers["content-security-policy"]
    person.page.wait_for_load_state("networkidle")
    violations = person.page.evaluate("window.__cspViolations")
    assert violations == [] and person.console == [], f"{path}: {violations} {person.console}"


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        ("office", ["/", "/suggestions/", "/dashboard/", "/suggestions/new/", "/notifications/", "/admin/"]),
        ("unit1", ["/", "/suggestions/", "/notifications/"]),
        ("deputy1", ["/", "/suggestions/"]),
    ],
)
def test_the_main_pages_break_no_rule_of_the_policy(demo_db, desk, username, paths):
    person = watched(desk, username)
    visible = Suggestion.objects.visible_to(person_user(username)).order_by("number")
    paths = [*paths, f"/suggestions/{visible.first().pk}/", f"/suggestions/{visible.last().pk}/"]
    if username == "office":
        paths.append(f"/admin/suggestions/suggestion/{visible.first().pk}/change/")
    for path in paths:
        visit(person, path)
    if username == "office":  # the charts drew, from the page's JSON
        person.page.goto(f"{person.base_url}/dashboard/")
        expect(person.page.locator("#chart-category svg")).to_be_visible()


def person_user(username):
    from accounts.models import User

    return User.objects.get(username=username)


def test_a_failed_form_comes_back_with_its_dialog_open(demo_db, desk, screenshot_dir):
    office = watched(desk, "office")
    page = office.page
    target = Suggestion.objects.filter(session=demo_db, state=Suggestion.State.REGISTERED).order_by("number")[
        0
    ]
    office.open(f"/suggestions/{target.pk}/")
    page.locator("[data-action=assign]").first.click()
    modal = page.locator("#action-assign-s")
    expect(modal).to_be_visible()
    # No lead unit: the browser would stop the form (required), so send it as one that slipped through.
    modal.locator("form").evaluate("form => { form.noValidate = true; }")
    with page.expect_navigation():
        modal.locator("button[type=submit]").first.click()
    reopened = page.locator(".modal.show")
    expect(reopened).to_be_visible()
    assert reopened.get_attribute("id") == "action-assign-s"
    assert (
        "主办单位" in reopened.inner_text()
        and reopened.locator(".invalid-feedback, .text-danger").count() > 0
    )
    page.screenshot(path=str(screenshot_dir / "csp-failed-form-reopens.png"))
    assert page.evaluate("window.__cspViolations") == [] and office.console == []
    assert Suggestion.objects.get(pk=target.pk).state == Suggestion.State.REGISTERED
