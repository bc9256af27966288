"""Lockout after repeated failed logins (django-axes): by account from any address, by address against any
account; the login page says so in Chinese; the office sees and lifts locks on 「登录锁定」, and the log keeps it."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

from accounts.models import AccountEvent
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lockout_on")]

LOGIN = reverse("login")
LIMIT = 5


@pytest.fixture
def lockout_on():
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=LIMIT):
        yield


def login(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, address="10.0.0.1"):
    return [login(client, username, "wrong-password", address).status_code for _ in range(times)]


def signed_in(client):
    return client.get(reverse("suggestions:home")).status_code == 200


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one_and_say_so(client, clerk):
    assert fail(client, "clerk", LIMIT - 1) == [200] * (LIMIT - 1)
    response = login(client, "clerk", "wrong-password")
    assert response.status_code == 429  # the fifth failure locks
    text = response.content.decode()
    assert "登录失败次数过多（连续5次），该账户或本机地址已被锁定30分钟" in text
    assert "「登录锁定」" in text
    response = login(client, "clerk", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)


def test_the_account_stays_locked_from_another_address(client, clerk):
    for n in range(LIMIT):
        login(client, "clerk", "wrong-password", address=f"10.0.1.{n}")
    assert login(client, "clerk", PASSWORD, address="10.0.2.99").status_code == 429
    assert not signed_in(client)


def test_one_address_guessing_many_accounts_is_locked_for_every_account(client, clerk, office):
    for n in range(LIMIT):
        login(client, f"guess{n}", "wrong-password", address="10.9.9.9")
    assert login(client, "office", PASSWORD, address="10.9.9.9").status_code == 429
    assert not signed_in(client)
    assert login(client, "office", PASSWORD, address="10.9.9.10").status_code == 302  # another address may


def test_fewer_failures_than_the_limit_still_let_the_person_in(client, clerk):
    fail(client, "clerk", LIMIT - 1)
    assert login(client, "clerk", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lock_ends_by_itself_after_the_cool_off(client, clerk):
    fail(client, "clerk", LIMIT)
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31)
    )
    assert login(client, "clerk", PASSWORD).status_code == 302


def test_the_office_sees_the_locked_account_and_address_and_unlocks_the_account(client, clerk, office):
    fail(client, "clerk", LIMIT, address="10.3.3.3")
    client.force_login(office)
    page = client.get(reverse("lockouts")).content.decode()
    assert 'data-lock="clerk"' in page and 'data-lock="10.3.3.3"' in page
    response = client.post(reverse("unlock"), {"username": "clerk"}, follow=True)
    assert "已解锁账户「clerk」。" in response.content.decode()
    event = AccountEvent.objects.get()
    assert (event.action, event.actor, event.account) == (AccountEvent.Action.UNLOCKED, office, clerk)
    client.logout()
    assert login(client, "clerk", PASSWORD, address="10.3.3.4").status_code == 302


def test_the_office_unlocks_an_address(client, office, clerk):
    for n in range(LIMIT):
        login(client, f"guess{n}", "wrong-password", address="10.4.4.4")
    client.force_login(office)
    client.post(reverse("unlock"), {"ip_address": "10.4.4.4"})
    assert AccountEvent.objects.get().detail == "地址：10.4.4.4"
    client.logout()
    assert login(client, "clerk", PASSWORD, address="10.4.4.4").status_code == 302


def test_unlocking_what_is_not_locked_is_a_message_and_logs_nothing(client, office):
    client.force_login(office)
    response = client.post(reverse("unlock"), {"username": "nobody"}, follow=True)
    assert "该账户或地址当前没有被锁定。" in response.content.decode()
    response = client.post(reverse("unlock"), {"ip_address": "not-an-address"}, follow=True)
    assert "地址格式不正确。" in response.content.decode()
    assert not AccountEvent.objects.exists()


@pytest.mark.parametrize("fixture", ["clerk", "head", "leader_user", "deputy_user", "congress"])
def test_only_the_office_sees_and_lifts_locks(client, request, fixture, clerk):
    fail(client, "clerk", LIMIT)
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("lockouts")).status_code == 403
    assert client.post(reverse("unlock"), {"username": "clerk"}).status_code == 403
    assert AccessAttempt.objects.filter(username="clerk").exists()


def test_unlocking_needs_a_post(client, office, clerk):
    fail(client, "clerk", LIMIT)
    client.force_login(office)
    assert client.get(reverse("unlock"), {"username": "clerk"}).status_code == 405
    assert AccessAttempt.objects.filter(username="clerk").exists()
