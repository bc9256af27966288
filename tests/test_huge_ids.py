"""An id past the database's integer range, typed into any filter, picker or id parameter, finds nothing: a page,
a 404 or a form's message, never a 500 (SQLite's driver raised OverflowError; ``suggestions/lookups.py``)."""

import pytest
from django.urls import reverse

from suggestions.models import ContactRecord, Notification, Suggestion
from tests.view_helpers import act_url, field_errors

pytestmark = pytest.mark.django_db

HUGE = "1180591620717411303424"  # 2**70

LIST_FILTERS = [
    "session",
    "category",
    "lead_unit",
    "co_unit",
    "leader",
    "delegation",
    "deputy",
    "due_within",
    "page",
]


@pytest.fixture
def handled(journey):
    return journey.assign().sign()


@pytest.mark.parametrize("name", LIST_FILTERS)
def test_a_huge_id_in_a_list_filter_shows_the_list(client, handled, office, name):
    client.force_login(office)
    for url in (reverse("suggestions:list"), reverse("suggestions:export_summary")):
        assert client.get(url, {name: HUGE}).status_code in {200, 400}, url


@pytest.mark.parametrize(
    "url, params",
    [
        ("suggestions:dashboard", {"session": HUGE}),
        ("suggestions:export_statistics", {"session": HUGE}),
        ("suggestions:unit_notice", {"unit": HUGE, "session": HUGE}),
        ("suggestions:number_hint", {"session": HUGE, "number": HUGE}),
        ("suggestions:similar_titles", {"lead_deputy": HUGE, "title": "关于修路的建议"}),
        ("suggestions:deadline_preview", {"assigned_on": "2025-03-03", "months": HUGE}),
    ],
)
def test_a_huge_id_in_a_query_parameter_is_not_a_500(client, handled, office, url, params):
    client.force_login(office)
    assert client.get(reverse(url), params).status_code in {200, 400, 404}


def test_huge_ids_in_the_paths_are_404s(client, handled, office):
    client.force_login(office)
    s = handled.s
    for url in (
        f"/suggestions/{HUGE}/",
        f"/suggestions/{HUGE}/edit/",
        f"/replies/{HUGE}/letter.pdf",
        f"/documents/assignments/{HUGE}/notice.docx",
        f"/documents/supervision/{HUGE}/notice.docx",
        f"/suggestions/{s.pk}/reply/{HUGE}/",
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(handled.clerk)
    assert client.post(f"/suggestions/{s.pk}/act/log_contact/{HUGE}/", {}).status_code == 404


def test_a_huge_deputy_id_on_the_contact_form_is_a_message_and_nothing_is_recorded(client, handled):
    client.force_login(handled.clerk)
    data = {
        "method": ContactRecord.Method.values[0],
        "contacted_on": "2025-03-04",
        "participants": "周敏",
        "summary": "电话沟通了办理思路。",
        "deputies": [HUGE],
    }
    response = client.post(act_url(handled.s, "log_contact", handled.lead), data)
    assert response.status_code == 400
    assert field_errors(response, f"action-log_contact-{handled.lead.pk}", "deputies")
    assert not ContactRecord.objects.exists()


def test_huge_ids_on_the_register_form_are_messages(client, handled, office):
    client.force_login(office)
    before = Suggestion.objects.count()
    response = client.post(
        reverse("suggestions:register"),
        {
            "session": HUGE,
            "number": HUGE,
            "title": "关于修路的建议",
            "content": "……",
            "lead_deputy": HUGE,
            "joint_deputies": [HUGE],
            "category": HUGE,
            "delegation": HUGE,
        },
    )
    assert response.status_code in {200, 400}
    assert Suggestion.objects.count() == before


def test_a_huge_id_in_the_batch_and_the_notifications_changes_nothing(client, handled, office):
    client.force_login(office)
    response = client.post(reverse("suggestions:batch"), {"action": "close", "ids": [HUGE]})
    assert response.status_code in {302, 400}
    unread = Notification.objects.filter(read_at__isnull=True).count()
    assert client.post(reverse("suggestions:mark_read"), {"id": HUGE}).status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == unread
