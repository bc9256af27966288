"""The notifications page: a person's own notifications, the unread count in the header, marking one or all
read (POST only), and no way to touch someone else's."""

import datetime

import pytest
from django.urls import reverse

from suggestions.formats import date_cn
from suggestions.models import Notification
from tests.conftest import AT
from tests.view_helpers import iso, post_action, text, today

pytestmark = pytest.mark.django_db

PAGE = reverse("suggestions:notifications")
MARK = reverse("suggestions:mark_read")


def note(user, words, *, read=False, minutes=0, suggestion=None):
    return Notification.objects.create(
        recipient=user,
        suggestion=suggestion,
        text=words,
        created_at=AT + datetime.timedelta(minutes=minutes),
        read_at=AT if read else None,
    )


@pytest.fixture
def inbox(clerk, office, registered):
    return {
        "old": note(clerk, "第1号：审核答复", read=True, minutes=1),
        "assign": note(clerk, "第1号《关于农村道路提档升级的建议》：交办", minutes=2, suggestion=registered),
        "remind": note(clerk, "第1号 办理期限还有7天", minutes=3),
        "office": note(office, "第1号：申请调整"),
    }


def unread_badge(response):
    html = text(response)
    marker = 'id="unread-count">'
    if marker not in html:
        return None
    start = html.index(marker) + len(marker)
    return int(html[start : html.index("<", start)])


def test_the_page_lists_only_my_notifications_newest_first(client, clerk, inbox, registered):
    client.force_login(clerk)
    response = client.get(PAGE)
    html = text(response)
    assert response.status_code == 200
    assert html.index("办理期限还有7天") < html.index("交办") < html.index("审核答复")
    assert "申请调整" not in html
    assert reverse("suggestions:detail", args=[registered.pk]) in html  # the notification links to it
    assert unread_badge(response) == 2


def test_the_unread_count_shows_in_the_header_of_every_page(client, clerk, inbox):
    client.force_login(clerk)
    assert unread_badge(client.get(reverse("suggestions:home"))) == 2
    assert unread_badge(client.get(reverse("suggestions:list"))) == 2


def test_mark_one_read(client, clerk, inbox):
    client.force_login(clerk)
    response = client.post(MARK, {"id": inbox["assign"].pk}, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    inbox["assign"].refresh_from_db()
    inbox["remind"].refresh_from_db()
    assert inbox["assign"].read_at is not None and inbox["remind"].read_at is None
    assert unread_badge(response) == 1


def test_mark_all_read(client, clerk, inbox):
    client.force_login(clerk)
    response = client.post(MARK, follow=True)
    assert not Notification.objects.filter(recipient=clerk, read_at__isnull=True).exists()
    assert unread_badge(response) is None
    assert "全部标为已读" not in text(response)
    inbox["office"].refresh_from_db()
    assert inbox["office"].read_at is None  # another person's are untouched


def test_another_persons_notification_cannot_be_marked_read(client, clerk, inbox):
    client.force_login(clerk)
    client.post(MARK, {"id": inbox["office"].pk})
    inbox["office"].refresh_from_db()
    assert inbox["office"].read_at is None
    assert Notification.objects.filter(recipient=clerk, read_at__isnull=True).count() == 2


def test_a_malformed_id_is_a_404_not_an_error(client, clerk, inbox):
    client.force_login(clerk)
    assert client.post(MARK, {"id": "abc"}).status_code == 404
    assert Notification.objects.filter(read_at__isnull=True).count() == 3


def test_next_leads_back_into_the_site_only(client, clerk, inbox):
    client.force_login(clerk)
    home = reverse("suggestions:home")
    assert client.post(MARK, {"next": home})["Location"] == home
    assert client.post(MARK, {"next": "https://evil.example/"})["Location"] == PAGE
    assert client.post(MARK, {"next": "//evil.example/"})["Location"] == PAGE


@pytest.mark.parametrize(
    "target", ["0", "home", "suggestions:list", "javascript:alert(1)", "/\\evil.example/"]
)
def test_a_next_that_is_not_a_path_of_this_site_leads_to_the_notifications(client, clerk, inbox, target):
    client.force_login(clerk)
    response = client.post(MARK, {"next": target})
    assert (response.status_code, response["Location"]) == (302, PAGE)
    assert Notification.objects.filter(recipient=clerk, read_at__isnull=True).count() == 0


def test_an_action_notifies_the_people_concerned(
    client, registered, office, clerk, units, django_capture_on_commit_callbacks
):
    client.force_login(office)
    data = {"mode": "lead", "lead_unit": units["transport"].pk, "assigned_on": iso(today()), "months": "3"}
    with django_capture_on_commit_callbacks(execute=True):
        post_action(client, registered, "assign", data)
    client.force_login(clerk)
    response = client.get(PAGE)
    registered.refresh_from_db()
    assert f"第1号建议已交你单位主办，办理期限{date_cn(registered.deadline)}。" in text(response)
    assert "去签收" in text(response)  # the unread item's link says what to do
    assert unread_badge(response) == 1
    client.force_login(office)
    assert unread_badge(client.get(PAGE)) is None  # the office did it: no notification to itself
