"""Script text in any field never runs, on any page, the admin included.

The demo's current No. 1 gets a title, a remark, a deputy's name, a unit's name, a delegation, a reply (its text,
its document number and its letter's file name), a supervision note, a leader's instruction and the deputy's
rating comment that are each a piece of script; then the office, the unit, the leader and the deputy open every
page that shows them (list, detail with its timeline, notifications, homes, dashboard, the import preview of a
workbook whose name and cells are script too, and the admin's lists and change pages). The browser is listening:
no dialog may open, no payload may set its marker on ``window``, and the text must be on the page as text.
"""

import io

import openpyxl
import pytest
from django.utils import timezone

from accounts.models import User
from suggestions import workflow
from suggestions.models import Delegation, Deputy, HandlingUnit, Rating, Reply, Suggestion
from tests.browser import test_role_journeys as journeys

PASSWORD = journeys.PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def payload(n):
    """Script in the usual disguises; each sets ``window.__xss`` and opens a dialog if it ever runs."""
    return [
        f"<script>window.__xss={n};alert({n})</script>",
        f'"><img src=x onerror="window.__xss={n};alert({n})">',
        f"'><svg onload=window.__xss={n}>",
        f"</textarea></title><script>window.__xss={n}</script>",
        f"javascript:window.__xss={n}",
        "{{7*7}}{% now 'Y' %}",
    ][n % 6] + f"#{n}"


TITLE, REMARKS, DEPUTY, UNIT, DELEGATION = payload(0), payload(1), payload(2), payload(3), payload(4)
REPLY, DOCUMENT, SUPERVISION, COMMENT, RATING = payload(7), payload(8), payload(9), payload(10), payload(6)
LETTER = 'replies/"><img src=x onerror=window.__xss=11>.pdf'


@pytest.fixture
def hostile(demo_db):
    """The demo with script in every field people type, written through the workflow where a person would."""
    s = Suggestion.objects.get(session=demo_db, number=1)
    lead = s.assignments.get(role="lead", round=s.round)
    Deputy.objects.filter(pk=s.lead_deputy_id).update(name=DEPUTY)
    Delegation.objects.filter(pk=s.delegation_id).update(name=DELEGATION)
    HandlingUnit.objects.filter(pk=lead.unit_id).update(name=UNIT)
    Suggestion.objects.filter(pk=s.pk).update(title=TITLE, remarks=REMARKS)
    Reply.objects.filter(assignment=lead).update(text=REPLY, document_number=DOCUMENT, attachment=LETTER)
    s.refresh_from_db()
    now = timezone.now()
    office, leader = User.objects.get(username="office"), User.objects.get(username="leader")
    workflow.perform(
        "supervise", user=office, suggestion=s, at=now, kind="supervise", method="phone", text=SUPERVISION
    )
    workflow.perform("comment", user=leader, suggestion=s, at=now, text=COMMENT)
    workflow.perform(
        "rate", user=User.objects.get(username="deputy1"), suggestion=s, at=now, overall=2, comment=RATING
    )
    return s


class Watch:
    """A page that records every dialog (and dismisses it) and every console error."""

    def __init__(self, page):
        self.page, self.dialogs, self.errors, self.missing = page, [], [], []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))

    def visit(self, url, *texts):
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        assert self.page.evaluate("window.__xss") is None, f"script ran on {url}"
        assert self.dialogs == [], f"a dialog opened on {url}: {self.dialogs}"
        body = self.page.inner_text("body")
        self.missing += [(url, text) for text in texts if text not in body]


def test_script_in_any_field_never_runs_on_any_page(hostile, desk, live_server):
    s, base = hostile, live_server.url
    rating = Rating.objects.filter(reply__assignment__suggestion=s).latest("pk")
    reply = Reply.objects.filter(assignment__suggestion=s).latest("pk")
    lead = s.assignments.get(role="lead", round=s.round)

    office = Watch(desk("office", PASSWORD).page)
    office.page.goto("about:blank")  # a page without the app's CSP, which would block this inline script too
    office.page.set_content(
        "<script>window.__xss = 1; alert('试')</script>"
    )  # the watch sees script that runs
    assert office.page.evaluate("window.__xss") == 1 and office.dialogs == ["试"]
    office.dialogs.clear()
    office.visit(f"{base}/")
    office.visit(f"{base}/suggestions/", TITLE, DEPUTY)
    office.visit(
        f"{base}/suggestions/?q=%3Cscript%3Ewindow.__xss%3D99%3C%2Fscript%3E"
    )  # script in the search
    office.visit(f"{base}/suggestions/{s.pk}/", TITLE, DEPUTY, UNIT, REPLY, DOCUMENT, SUPERVISION, COMMENT)
    office.visit(f"{base}/suggestions/{s.pk}/#timeline", RATING)
    office.visit(f"{base}/suggestions/{s.pk}/edit/")
    office.visit(f"{base}/notifications/")
    office.visit(f"{base}/dashboard/", UNIT)
    for path in (
        f"suggestions/suggestion/{s.pk}/change/",  # the remark is in a text box there
        "suggestions/suggestion/",
        f"suggestions/deputy/{s.lead_deputy_id}/change/",
        f"suggestions/delegation/{s.delegation_id}/change/",
        f"suggestions/handlingunit/{lead.unit_id}/change/",
        f"suggestions/reply/{reply.pk}/change/",
        f"suggestions/rating/{rating.pk}/change/",
        "suggestions/supervisionnote/",
        "suggestions/event/",
        "suggestions/notification/",
    ):
        office.visit(f"{base}/admin/{path}")

    # the import: a workbook whose file name and cells are script
    book = openpyxl.Workbook()
    book.active.append(["建议编号", "标题", "领衔代表", "类别", "内容"])
    book.active.append([90, payload(12), payload(13), "城建交通", payload(14)])
    data = io.BytesIO()
    book.save(data)
    office.page.goto(f"{base}/imports/")
    office.page.set_input_files(
        "input[name=file]",
        {
            "name": '"><img src=x onerror=window.__xss=15>.xlsx',
            "mimeType": "application/octet-stream",
            "buffer": data.getvalue(),
        },
    )
    with office.page.expect_navigation():
        office.page.click("main button[type=submit]")
    office.visit(office.page.url, payload(12))

    unit = Watch(desk(User.objects.get(unit=lead.unit_id, role="unit_staff").username, PASSWORD).page)
    unit.visit(f"{base}/")
    unit.visit(f"{base}/suggestions/{s.pk}/", TITLE, SUPERVISION)
    unit.visit(f"{base}/notifications/", TITLE)

    leader = Watch(desk("leader", PASSWORD).page)
    leader.visit(f"{base}/")
    leader.visit(f"{base}/suggestions/{s.pk}/", TITLE, COMMENT)
    leader.visit(f"{base}/dashboard/")

    deputy = Watch(desk("deputy1", PASSWORD).page)
    deputy.visit(f"{base}/")
    deputy.visit(f"{base}/suggestions/{s.pk}/", TITLE, REPLY, RATING)
    deputy.visit(f"{base}/notifications/")

    for watch in (office, unit, leader, deputy):
        assert [e for e in watch.errors if "__xss" in e] == []
        assert watch.missing == [], f"not shown as text: {watch.missing}"
