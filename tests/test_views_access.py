"""Who reaches which page: anonymous people are sent to the login page, a role that may not act gets the
Chinese 403 page, a record the user may not see is a 404, and change endpoints refuse GET."""

import pytest
from django.urls import reverse

from suggestions.models import Assignment, Notification
from tests.conftest import AT
from tests.view_helpers import act_url, detail_url, post_action, state_of, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(journey):
    return journey.assign().s


def page_urls(s):
    return [
        reverse("suggestions:home"),
        reverse("suggestions:list"),
        reverse("suggestions:register"),
        detail_url(s),
        reverse("suggestions:edit", args=[s.pk]),
        act_url(s, "assign"),
        reverse("suggestions:reply_attachment", args=[1]),
        reverse("suggestions:notifications"),
        reverse("suggestions:mark_read"),
        reverse("suggestions:deadline_preview") + "?assigned_on=2025-03-03",
    ]


def test_anonymous_is_sent_to_the_login_page_from_every_page(client, registered):
    login = reverse("login")
    for url in page_urls(registered):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(f"{login}?next="), url


def test_login_page_itself_is_open(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录建议办理系统" in text(response)


def test_a_role_without_the_permission_gets_the_chinese_403_page(
    client, deputy_user, clerk, leader_user, congress
):
    for user, url_name in [
        (deputy_user, "suggestions:register"),
        (clerk, "suggestions:register"),
        (leader_user, "suggestions:register"),
        (congress, "suggestions:register"),
        (deputy_user, "suggestions:deadline_preview"),
    ]:
        client.force_login(user)
        response = client.get(reverse(url_name))
        assert response.status_code == 403, (user, url_name)
        assert "无权访问" in text(response)


def test_deputy_may_not_open_the_edit_page(client, registered, deputy_user):
    client.force_login(deputy_user)
    response = client.get(reverse("suggestions:edit", args=[registered.pk]))
    assert response.status_code == 403
    assert "无权访问" in text(response)


def test_a_unit_posting_assign_gets_403_and_nothing_changes(client, assigned, clerk, units):
    client.force_login(clerk)
    count = Assignment.objects.count()
    response = post_action(
        client,
        assigned,
        "assign",
        {"mode": "lead", "lead_unit": units["health"].pk, "assigned_on": "2025-03-04", "months": "3"},
        follow=False,
    )
    assert response.status_code == 403
    assert "无权访问" in text(response)
    assert Assignment.objects.count() == count
    assert state_of(assigned) == "assigned"


def test_a_deputy_posting_close_gets_403(client, assigned, deputy_user):
    client.force_login(deputy_user)
    response = post_action(client, assigned, "close", {}, follow=False)
    assert response.status_code == 403
    assert state_of(assigned) == "assigned"


def test_a_suggestion_the_user_may_not_see_is_a_404(client, request, assigned):
    for user in ["outsider_clerk", "other_deputy_user", "other_leader_user"]:
        client.force_login(request.getfixturevalue(user))
        response = client.get(detail_url(assigned))
        assert response.status_code == 404, user
        assert "找不到该页面" in text(response)
        assert assigned.title not in text(response)


def test_another_units_clerk_cannot_act_on_the_suggestion(client, journey, outsider_clerk):
    s = journey.assign().s
    client.force_login(outsider_clerk)
    response = post_action(client, s, "sign_for", assignment=journey.lead, follow=False)
    assert response.status_code == 404
    assert journey.lead.state == "pending"


def test_a_leader_sees_their_portfolio_but_not_another(client, assigned, leader_user, other_leader_user):
    client.force_login(leader_user)
    assert client.get(detail_url(assigned)).status_code == 200
    client.force_login(other_leader_user)
    assert client.get(detail_url(assigned)).status_code == 404


def test_a_suggestion_that_does_not_exist_is_a_404(client, office):
    client.force_login(office)
    assert client.get(reverse("suggestions:edit", args=[999])).status_code == 404
    assert client.get(reverse("suggestions:detail", args=[999])).status_code == 404


def test_get_on_an_action_endpoint_is_405(client, journey, office):
    s = journey.assign().s
    client.force_login(office)
    for url in (act_url(s, "withdraw"), act_url(s, "review_reply", journey.lead)):
        assert client.get(url).status_code == 405, url
    assert state_of(s) == "assigned"


def test_get_on_mark_read_is_405_and_marks_nothing(client, office, registered):
    note = Notification.objects.create(recipient=office, text="通知", created_at=AT)
    client.force_login(office)
    assert client.get(reverse("suggestions:mark_read")).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


def test_an_unknown_action_name_is_a_404(client, registered, office):
    client.force_login(office)
    for action in ["fly_away", "edit", "register"]:
        response = post_action(client, registered, action, {"note": "x"}, follow=False)
        assert response.status_code == 404, action
    assert state_of(registered) == "registered"


def test_an_assignment_of_another_suggestion_is_a_404(client, journey, office, session, categories, deputies):
    """The office may review this reply, but not through another suggestion's address: the part is looked up
    within the suggestion of the address (an action the office may take, on a part, so no other check answers)."""
    from suggestions import workflow

    journey.assign().sign().draft().sign_off().submit()
    lead = journey.lead
    other = workflow.register(
        user=office, at=AT, session=session, number=2, title="另一件建议",
        lead_deputy=deputies["lead"], category=categories["城建交通"],
    )  # fmt: skip
    client.force_login(office)
    response = post_action(client, other, "review_reply", {"accept": "1"}, assignment=lead, follow=False)
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.state == Assignment.State.SUBMITTED
    assert state_of(other) == "registered"


def test_an_action_on_one_unit_needs_its_assignment_in_the_address(client, journey, clerk):
    s = journey.assign().sign().s
    client.force_login(clerk)
    response = post_action(client, s, "draft_reply", {"document_number": "x"}, follow=False)
    assert response.status_code == 404


def test_an_action_on_the_whole_suggestion_takes_no_assignment(client, journey, office):
    s = journey.assign().s
    client.force_login(office)
    response = post_action(
        client, s, "withdraw", {"reason": "代表撤回"}, assignment=journey.lead, follow=False
    )
    assert response.status_code == 404
    assert state_of(s) == "assigned"
