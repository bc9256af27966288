"""Every demo suggestion, opened by every kind of reader: nothing on the page, in its timeline, in a letter
download, an export or a notification goes beyond what ``suggestions.access`` says they may see.

The readers of a suggestion are the office, the leader, congress staff, a member of every unit that has (or had)
a part in it and of one that never had, and its deputies and one other. Besides checking against the selector,
the walk restates the rules that matter most in plain terms: a reply that is unsigned, unsent or returned never
reaches a deputy or congress staff, and one unit's draft never reaches another unit.
"""

import html
import io

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from accounts.roles import UNIT_ROLES, Role
from suggestions import access
from suggestions.models import (
    Assignment,
    CoUnitOpinion,
    Event,
    ExtensionRequest,
    Notification,
    ReassignmentRequest,
    Reply,
    Suggestion,
    SupervisionNote,
)

R = Reply.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]

PDF = b"%PDF-1.4\n% demo letter\n"


@pytest.fixture(scope="module")
def letters(seeded, django_db_blocker, tmp_path_factory):
    """Every demo reply gets a signed letter on file, so every download can be tried."""
    root = tmp_path_factory.mktemp("media")
    (root / "letters").mkdir()
    (root / "letters" / "demo.pdf").write_bytes(PDF)
    with override_settings(MEDIA_ROOT=root), django_db_blocker.unblock():
        Reply.objects.update(attachment="letters/demo.pdf")
        yield


def readers(suggestion, people, every_member=True):
    """The people whose view of ``suggestion`` is worth checking: the office, congress staff, the leaders, the
    members of every unit that has or had a part in it (``every_member``; else one of each, staff and heads in
    turn) and of one that never had, its deputies with an account and one other deputy."""
    unit_ids = sorted({a.unit_id for a in suggestion.assignments.all()})
    deputy_ids = {d.pk for d in suggestion.deputies}
    found = [people["office"], people["congress"], *people["leaders"]]
    for i, unit_id in enumerate(unit_ids):
        members = people["units"].get(unit_id, [])
        found += members if every_member else members[(suggestion.number + i) % len(members) :][:1]
    outsider_unit = next(u for uid, u in sorted(people["units"].items()) if uid not in unit_ids)
    found.append(outsider_unit[0])
    found += [u for u in people["deputies"] if u.deputy_id in deputy_ids]
    found.append(next(u for u in people["deputies"] if u.deputy_id not in deputy_ids))
    return found


@pytest.fixture(scope="module")
def people(seeded, django_db_blocker):
    with django_db_blocker.unblock():
        users = list(User.objects.filter(is_active=True).exclude(role="").order_by("pk"))
    units = {}
    for u in users:
        if u.role in UNIT_ROLES:
            units.setdefault(u.unit_id, []).append(u)
    return {
        "office": next(u for u in users if u.role == Role.OFFICE),
        "congress": next(u for u in users if u.role == Role.CONGRESS),
        "leaders": [u for u in users if u.role == Role.LEADER],
        "units": units,
        "deputies": [u for u in users if u.role == Role.DEPUTY],
    }


def plain_rule_allows(user, reply):
    """The rule in plain terms, independent of the selector's tables."""
    if user.role in (Role.DEPUTY, Role.CONGRESS):
        return reply.state == R.ACCEPTED
    if user.role in UNIT_ROLES:
        return reply.assignment.unit_id == user.unit_id or reply.state == R.ACCEPTED
    return reply.state not in (R.DRAFT, R.SIGNED)  # the government sees a letter once the unit has sent it


def unseen_texts(user, suggestion, page):
    """What ``user`` may not read of ``suggestion``: (what it is, its text)."""
    found = []
    for reply in Reply.objects.filter(assignment__suggestion=suggestion).select_related("assignment"):
        if not access.may_read_reply(user, reply):
            found += [("reply", reply.text), ("return reason", reply.return_reason)]
    for event in Event.objects.filter(suggestion=suggestion).select_related("assignment"):
        if not access.may_read_event(user, event):
            found.append((f"event {event.action}", event.note))
    if not access.may(user, "notes"):
        found += [("note", n.text) for n in SupervisionNote.objects.filter(suggestion=suggestion)]
    if not access.may(user, "opinions"):
        found += [
            ("opinion", o.text) for o in CoUnitOpinion.objects.filter(assignment__suggestion=suggestion)
        ]
    shown_requests = {r.pk for a in page.parts for r in a.reassignment_requests.all()}
    for r in ReassignmentRequest.objects.filter(assignment__suggestion=suggestion).exclude(
        pk__in=shown_requests
    ):
        found.append(("reassignment request", r.reason))
    shown_requests = {r.pk for a in page.parts for r in a.extension_requests.all()}
    for r in ExtensionRequest.objects.filter(assignment__suggestion=suggestion).exclude(
        pk__in=shown_requests
    ):
        found.append(("extension request", r.grounds))
    if not access.may(user, "deputy_contacts"):
        found += [("deputy contact", d.phone) for d in suggestion.deputies]
        found += [("deputy workplace", d.workplace) for d in suggestion.deputies]
    return [(what, t) for what, t in found if t and len(t) >= 6]


def seen_texts(page):
    texts = [r.text for r in page.replies] + [r.return_reason for r in page.replies]
    texts += [e.note for e in page.events] + [n.text for n in page.notes] + [o.text for o in page.opinions]
    texts += [c.summary for c in page.contacts]
    texts += [r.reason for a in page.parts for r in a.reassignment_requests.all()]
    texts += [r.grounds for a in page.parts for r in a.extension_requests.all()]
    texts += [page.suggestion.content, page.suggestion.title, page.suggestion.remarks]
    return "\n".join(t for t in texts if t)


def check_page(client, user, suggestion):
    url = reverse("suggestions:detail", args=[suggestion.pk])
    may_open = Suggestion.objects.visible_to(user).filter(pk=suggestion.pk).exists()
    response = client.get(url)
    if not may_open:
        assert response.status_code == 404, (user.username, suggestion.number)
        return None
    assert response.status_code == 200, (user.username, suggestion.number)
    page = response.context["page"]
    who = f"{user.username} on {suggestion.session.year} No. {suggestion.number}"
    # the page shows what the selector gives, and the selector follows the rules
    for reply in page.replies:
        assert access.may_read_reply(user, reply) and plain_rule_allows(user, reply), (who, reply.state)
    for reply in Reply.objects.filter(assignment__suggestion=suggestion).select_related("assignment"):
        if reply.assignment.state != Assignment.State.REASSIGNED or access.may(user, "former_parts"):
            assert (reply in page.replies) == plain_rule_allows(user, reply), (who, reply.state)
    if user.role in (Role.DEPUTY, Role.CONGRESS):
        assert {e.audience for e in page.events} <= {Event.Audience.ALL}, who
        assert not page.notes and not page.opinions and not page.show_deputy_contacts, who
    if user.role in UNIT_ROLES:
        for event in page.events:
            if event.audience == Event.Audience.UNIT:
                assert event.assignment.unit_id == user.unit_id, (who, event.action)
    # and nothing else of it reaches the HTML, timeline included
    shown = html.unescape(response.content.decode())
    seen = seen_texts(page)
    for what, hidden in unseen_texts(user, suggestion, page):
        if hidden not in seen:
            assert hidden not in shown, f"{who}: {what} 「{hidden[:40]}」 is on the page"
    return page


def check_letters(client, user, suggestion, may_open):
    for reply in Reply.objects.filter(assignment__suggestion=suggestion).select_related("assignment"):
        response = client.get(reverse("suggestions:reply_attachment", args=[reply.pk]))
        allowed = may_open and access.may_read_reply(user, reply)
        assert response.status_code == (200 if allowed else 404), (user.username, reply.state)
        if allowed:
            assert b"".join(response.streaming_content) == PDF


def suggestions_of(year):
    return (
        Suggestion.objects.filter(session__year=year)
        .select_related("session", "lead_deputy")
        .order_by("number")
    )


@pytest.mark.parametrize("year", [2024, 2025])
def test_every_demo_page_and_letter_shows_only_what_the_selector_allows(client, people, letters, year):
    """The current session (suggestions in every state) as every member of every unit on it; the closed 2024
    session, where every suggestion lived the same life, as one member of each unit, staff and heads in turn."""
    walked = set()
    for suggestion in suggestions_of(year):
        for user in readers(suggestion, people, every_member=year == 2025):
            client.force_login(user)
            page = check_page(client, user, suggestion)
            check_letters(client, user, suggestion, page is not None)
            walked.add(user.role)
    assert walked == set(access.EVERYONE)


def test_the_demo_holds_replies_in_every_state_the_walk_must_hide(seeded):
    assert set(Reply.objects.values_list("state", flat=True)) == set(R.values)
    assert set(Event.objects.values_list("audience", flat=True)) == set(Event.Audience.values)


def test_every_demo_notification_is_one_its_reader_may_read(seeded):
    notes = Notification.objects.filter(event__isnull=False).select_related("event__assignment", "recipient")
    assert notes.exists()
    for note in notes:
        who = (note.recipient.username, note.event.action)
        assert access.may_read_event(note.recipient, note.event), who
        if not Suggestion.objects.visible_to(note.recipient).filter(pk=note.event.suggestion_id).exists():
            # told before its part was moved to another unit: the only way to lose sight of a suggestion
            parts = Assignment.objects.filter(
                suggestion=note.event.suggestion_id, unit=note.recipient.unit_id
            )
            assert parts.exists() and not parts.exclude(state=Assignment.State.REASSIGNED).exists(), who
    # a unit that handed a suggestion on is told, without a link to what it may no longer open
    unlinked = Notification.objects.filter(suggestion__isnull=True, kind="rule_reassignment")
    assert unlinked.exists() and all("调整申请已同意" in n.text for n in unlinked)


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER, Role.CONGRESS, Role.UNIT_STAFF])
def test_the_summary_export_holds_only_replies_its_reader_may_read(client, people, role):
    user = {
        Role.OFFICE: people["office"],
        Role.LEADER: people["leaders"][0],
        Role.CONGRESS: people["congress"],
        Role.UNIT_STAFF: next(u for us in people["units"].values() for u in us if u.role == Role.UNIT_STAFF),
    }[role]
    readable = set(Reply.objects.visible_to(user).values_list("document_number", flat=True))
    client.force_login(user)
    for session_id in Suggestion.objects.order_by().values_list("session_id", flat=True).distinct():
        response = client.get(reverse("suggestions:export_summary"), {"session": session_id})
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        header = next(i for i, row in enumerate(rows) if row and "文号" in row)
        column = rows[header].index("文号")
        numbers = {n for row in rows[header + 1 :] if row[column] for n in str(row[column]).split("、")}
        assert numbers <= readable, numbers - readable
