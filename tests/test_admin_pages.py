"""The Django admin's pages on one world the module's tests share (they only read it): every model's pages
open; nothing deletes a suggestion or an event; the workflow's records are read-only, superusers' too."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from accounts.models import User
from suggestions import tallies
from suggestions.models import Event, Rating, Reply, Suggestion
from tests.conftest import World, module_world
from tests.test_admin import (
    MODEL_IDS,
    MODELS,
    SAVE_BUTTON,
    WORKFLOW_RECORDS,
    create_superuser,
    make_staff,
    url,
    world_builder,
)

# Each test in a savepoint inside the module's world: what it changes is undone before the next.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """conftest's people and reference data, a superuser, the office as staff, and one suggestion through its
    whole life (test_admin's ``world_builder``), so that every model has a row. Built once for the module."""

    def build():
        world = World.build()
        world.superuser = create_superuser()
        make_staff(world.office)
        world.suggestion = world_builder(**vars(world))(1)
        return world

    with module_world(django_db_blocker, build) as world:
        yield world


# The people, fresh from the database for each test (what a test does to them is rolled back with it).


@pytest.fixture
def superuser(world, db):
    return User.objects.get(pk=world.superuser.pk)


@pytest.fixture
def office_staff(world, db):
    return User.objects.get(pk=world.office.pk)


@pytest.fixture(params=["superuser", "office_staff"])
def admin_user(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def office_client(client, office_staff):
    client.force_login(office_staff)
    return client


# --- every page opens ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_changelist_and_change_page_open(client, admin_user, world, model):
    client.force_login(admin_user)
    tallies.figures_for(admin_user)  # the figures' tallies are kept as a page reads them (not in a snapshot)
    assert client.get(url(model, "changelist")).status_code == 200
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"the world has no {model._meta.label}"
    response = client.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = admin_user
    if model_admin.has_add_permission(request):
        assert client.get(url(model, "add")).status_code == 200


# --- no deleting, no editing the workflow's records ----------------------------------------------------------


@pytest.mark.parametrize(
    "model", [Suggestion, Reply, Rating, Event], ids=["suggestion", "reply", "rating", "event"]
)
def test_suggestions_replies_ratings_and_events_cannot_be_deleted(client, superuser, world, model):
    client.force_login(superuser)
    obj = model.objects.order_by("pk").first()
    assert client.get(url(model, "delete", obj.pk)).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()

    request = RequestFactory().get("/")
    request.user = superuser
    assert "delete_selected" not in admin.site._registry[model].get_actions(request)
    changelist = client.get(url(model, "changelist"))
    assert b"delete_selected" not in changelist.content

    response = client.post(
        url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert model.objects.filter(pk=obj.pk).exists()
    assert response.status_code in (200, 302)


def test_event_is_read_only_even_for_superusers(client, superuser, world):
    client.force_login(superuser)
    event = Event.objects.order_by("pk").first()
    page = client.get(url(Event, "change", event.pk))
    assert page.status_code == 200
    assert not SAVE_BUTTON.search(page.content.decode())
    assert client.post(url(Event, "change", event.pk), {"note": "改写"}).status_code == 403
    assert client.get(url(Event, "add")).status_code == 403
    assert client.post(url(Event, "add"), {"action": "x", "label": "x"}).status_code == 403
    event.refresh_from_db()
    assert event.note != "改写"


@pytest.mark.parametrize("model", WORKFLOW_RECORDS, ids=[m._meta.label for m in WORKFLOW_RECORDS])
def test_workflow_records_are_view_only(office_client, world, model):
    obj = model.objects.order_by("pk").first()
    page = office_client.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert not SAVE_BUTTON.search(page.content.decode())
    assert office_client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert office_client.get(url(model, "add")).status_code == 403
    assert office_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_reply_attachment_is_not_linked_from_the_admin(office_client, world):
    reply = Reply.objects.first()
    page = office_client.get(url(Reply, "change", reply.pk)).content.decode()
    assert "签发件" in page
    assert "/replies/" not in page
