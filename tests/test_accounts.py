"""Accounts: the office deactivates and reactivates an account (nothing deleted), every change to an account is
in the log the office reads whichever screen made it, passwords follow Chinese rules that refuse the public demo
password and the username, and a password the office set is changed by its owner at the first login."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import AccountEvent, User
from accounts.roles import Role
from suggestions.demo import DEMO_PASSWORD
from suggestions.models import Event
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

A = AccountEvent.Action
NEW_PASSWORD = "Qz7!harbour"


def admin_url(view, *args):
    return reverse(f"admin:accounts_user_{view}", args=args)


@pytest.fixture
def office_staff(office):
    office.is_staff = True
    office.save(update_fields=["is_staff"])
    return office


@pytest.fixture
def office_client(client, office_staff):
    client.force_login(office_staff)
    return client


def change_form(user, **changes):
    """What the admin's change form posts for ``user``, with ``changes``."""
    data = {
        "username": user.username,
        "name": user.name,
        "phone": user.phone,
        "email": user.email,
        "role": user.role,
        "unit": user.unit_id or "",
        "deputy": user.deputy_id or "",
        "leader": user.leader_id or "",
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def events(**filters):
    return [(e.action, e.username, e.detail) for e in AccountEvent.objects.filter(**filters).order_by("pk")]


# --- deactivating, never deleting --------------------------------------------------------------------------------


def test_the_office_deactivates_an_account_which_can_no_longer_sign_in_and_keeps_its_history(
    client, office, clerk, journey
):
    journey.assign().sign()  # the clerk has signed for a part: history that must stay
    client.force_login(office)
    response = client.post(reverse("account_deactivate", args=[clerk.pk]), {"reason": "调离"}, follow=True)
    assert "已停用账户「clerk」，其办理记录全部保留。" in response.content.decode()
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert Event.objects.filter(actor=clerk, action="sign_for").exists()  # what they did stays theirs
    assert events() == [(A.DEACTIVATED, "clerk", "调离")]
    client.logout()
    assert not client.login(username="clerk", password=PASSWORD)
    client.force_login(office)
    client.post(reverse("account_reactivate", args=[clerk.pk]))
    clerk.refresh_from_db()
    assert clerk.is_active
    assert [e[0] for e in events()] == [A.DEACTIVATED, A.REACTIVATED]
    assert client.login(username="clerk", password=PASSWORD)


def test_a_deactivated_persons_open_session_ends(client, office, clerk):
    clerk_client = client.__class__()
    clerk_client.force_login(clerk)
    client.force_login(office)
    client.post(reverse("account_deactivate", args=[clerk.pk]))
    assert clerk_client.get(reverse("suggestions:home")).status_code == 302  # back to the login page


def test_the_office_cannot_deactivate_itself_nor_twice(client, office, clerk):
    client.force_login(office)
    response = client.post(reverse("account_deactivate", args=[office.pk]), follow=True)
    assert "不能停用或恢复自己的账户。" in response.content.decode()
    client.post(reverse("account_deactivate", args=[clerk.pk]))
    response = client.post(reverse("account_deactivate", args=[clerk.pk]), follow=True)
    assert "账户「clerk」已是停用状态。" in response.content.decode()
    office.refresh_from_db()
    assert office.is_active
    assert [e[0] for e in events()] == [A.DEACTIVATED]


@pytest.mark.parametrize("fixture", ["clerk", "head", "leader_user", "deputy_user", "congress"])
def test_only_the_office_manages_accounts(client, request, fixture, other_deputy_user):
    client.force_login(request.getfixturevalue(fixture))
    for name in ("account_list", "account_events", "lockouts"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("account_deactivate", args=[other_deputy_user.pk])).status_code == 403
    other_deputy_user.refresh_from_db()
    assert other_deputy_user.is_active and not AccountEvent.objects.exists()


def test_deactivating_needs_a_post(client, office, clerk):
    client.force_login(office)
    assert client.get(reverse("account_deactivate", args=[clerk.pk])).status_code == 405
    clerk.refresh_from_db()
    assert clerk.is_active


def test_no_account_can_be_deleted_in_the_admin(client, office_client, clerk):
    assert office_client.post(admin_url("delete", clerk.pk), {"post": "yes"}).status_code == 403
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="office")
    assert "delete_selected" not in admin.site._registry[User].get_actions(request)
    office_client.post(
        admin_url("changelist"), {"action": "delete_selected", "_selected_action": [clerk.pk], "post": "yes"}
    )
    assert User.objects.filter(pk=clerk.pk).exists()


def test_the_account_list_shows_who_is_deactivated(client, office, clerk):
    clerk.is_active = False
    clerk.save()
    client.force_login(office)
    page = client.get(reverse("account_list"), {"state": "inactive"}).content.decode()
    assert 'data-account="clerk"' in page and "已停用" in page and 'data-account="office"' not in page


# --- the log, from the admin ---------------------------------------------------------------------------------------


def test_an_account_created_in_the_admin_is_logged_and_must_change_its_password(office_client, units):
    data = {
        "username": "newclerk",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "name": "吴晓",
        "role": Role.UNIT_STAFF,
        "unit": units["health"].pk,
    }
    assert office_client.post(admin_url("add"), data).status_code == 302
    user = User.objects.get(username="newclerk")
    assert user.must_change_password
    assert events() == [(A.CREATED, "newclerk", f"角色：承办单位经办人；单位：{units['health']}")]
    assert AccountEvent.objects.get().actor.username == "office"


def test_role_unit_and_activity_changes_in_the_admin_are_logged_from_and_to(office_client, clerk, units):
    response = office_client.post(
        admin_url("change", clerk.pk),
        change_form(clerk, role=Role.UNIT_HEAD, unit=units["health"].pk, is_active=""),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert events() == [
        (A.ROLE_CHANGED, "clerk", "角色：承办单位经办人 → 承办单位负责人"),
        (A.UNIT_CHANGED, "clerk", f"所属单位：{units['transport']} → {units['health']}"),
        (A.DEACTIVATED, "clerk", ""),
    ]


def test_saving_an_account_unchanged_logs_nothing(office_client, clerk):
    assert office_client.post(admin_url("change", clerk.pk), change_form(clerk)).status_code == 302
    assert events() == []


def test_a_refused_admin_change_logs_nothing(office_client, clerk):
    response = office_client.post(admin_url("change", clerk.pk), change_form(clerk, unit=""))
    assert response.status_code == 200  # 承办单位人员必须指定所属单位
    clerk.refresh_from_db()
    assert clerk.unit is not None and events() == []


def test_a_password_the_office_resets_is_logged_and_must_be_changed(office_client, clerk):
    url = reverse("admin:auth_user_password_change", args=[clerk.pk])
    data = {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert office_client.post(url, data).status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD) and clerk.must_change_password
    assert events() == [(A.PASSWORD_RESET, "clerk", "")]


def test_the_log_page_lists_the_changes_for_the_office(client, office, clerk):
    client.force_login(office)
    client.post(reverse("account_deactivate", args=[clerk.pk]))
    page = client.get(reverse("account_events"), {"username": "clerk"}).content.decode()
    assert 'data-event="deactivated"' in page and "停用账户" in page and "office" in page


def test_the_log_cannot_be_rewritten_through_the_model(office, clerk, client):
    client.force_login(office)
    client.post(reverse("account_deactivate", args=[clerk.pk]))
    event = AccountEvent.objects.get()
    event.detail = "改写"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AccountEvent.objects.get().detail == ""


# --- passwords -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password, message",
    [
        (DEMO_PASSWORD, "不能使用演示账户的公开密码，请另设一个密码。"),
        ("demo@2024", "不能使用演示账户的公开密码，请另设一个密码。"),
        ("clerkclerk", "密码中不能包含用户名。"),
        ("CLERK-9x!q", "密码中不能包含用户名。"),
        ("short", "此密码太短，至少要包含 8 个字符。"),
        ("48372615", "密码只包含数字。"),
        ("password", "这个密码太常见了。"),
    ],
)
def test_a_weak_password_is_refused_with_a_chinese_message(client, clerk, password, message):
    client.force_login(clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD) and not AccountEvent.objects.exists()


def test_unit7unit7_is_refused_for_unit7_in_the_admin_too(office_client, units):
    data = {
        "username": "unit7",
        "usable_password": "true",
        "password1": "unit7unit7",
        "password2": "unit7unit7",
        "role": Role.UNIT_STAFF,
        "unit": units["health"].pk,
    }
    response = office_client.post(admin_url("add"), data)
    assert response.status_code == 200 and "密码中不能包含用户名。" in response.content.decode()
    assert not User.objects.filter(username="unit7").exists() and not AccountEvent.objects.exists()


# --- the first login after the office set the password -----------------------------------------------------------


@pytest.fixture
def first_login(settings):
    settings.PASSWORD_CHANGE_ON_FIRST_LOGIN = True


def test_an_office_set_password_leads_to_the_password_page_until_changed(client, clerk, first_login):
    clerk.must_change_password = True
    clerk.save()
    assert client.login(username="clerk", password=PASSWORD)
    for url in (
        reverse("suggestions:home"),
        reverse("suggestions:list"),
        reverse("suggestions:notifications"),
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("password_change")), url
    assert client.post(reverse("suggestions:mark_read")).status_code == 302
    page = client.get(reverse("password_change")).content.decode()
    assert "您的密码由政府办设置，请先修改为只有您自己知道的新密码" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.must_change_password
    assert client.get(reverse("suggestions:home")).status_code == 200
    assert events() == [(A.PASSWORD_CHANGED, "clerk", "")]


def test_without_the_setting_nobody_is_sent_to_the_password_page(client, clerk, settings):
    settings.PASSWORD_CHANGE_ON_FIRST_LOGIN = False
    clerk.must_change_password = True
    clerk.save()
    client.force_login(clerk)
    assert client.get(reverse("suggestions:home")).status_code == 200


def test_the_demo_accounts_are_never_asked_to_change_their_password(client, seeded, first_login):
    assert not User.objects.filter(must_change_password=True).exists()
    assert client.login(username="unit1", password=DEMO_PASSWORD)
    assert client.get(reverse("suggestions:home")).status_code == 200


def test_production_turns_the_first_login_change_on(monkeypatch):
    import importlib

    import config.settings as real

    monkeypatch.setenv("DJANGO_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "suggestions.example.cn")
    monkeypatch.delenv("PASSWORD_CHANGE_ON_FIRST_LOGIN", raising=False)
    try:
        assert importlib.reload(real).PASSWORD_CHANGE_ON_FIRST_LOGIN is True
        monkeypatch.setenv("DJANGO_ENV", "development")
        assert importlib.reload(real).PASSWORD_CHANGE_ON_FIRST_LOGIN is False
    finally:
        monkeypatch.delenv("DJANGO_ENV")
        importlib.reload(real)
