"""What each role may do, as ``user.has_perm`` answers it from ``accounts.roles``."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.roles import ROLE_PERMISSIONS, Role, role_permissions
from suggestions import workflow
from suggestions.models import Reply, Suggestion
from tests.conftest import make_user
from tests.test_workflow_permissions import ALLOWED

# (permission, roles that hold it): the table the screens and the workflow rely on. A workflow action's
# permission is held by the roles test_workflow_permissions.ALLOWED lets take it: that table is written once.
SCREENS = [
    ("suggestions.register", {Role.OFFICE}),
    ("suggestions.import", {Role.OFFICE}),
    ("suggestions.view_all", {Role.OFFICE, Role.CONGRESS}),
    ("suggestions.view_statistics", {Role.OFFICE, Role.LEADER, Role.CONGRESS}),
    ("suggestions.export", {Role.OFFICE, Role.LEADER, Role.CONGRESS, Role.UNIT_STAFF, Role.UNIT_HEAD}),
]
EXPECTED = SCREENS + [(workflow.ACTIONS[name].permission, roles) for name, roles in ALLOWED.items()]

# One saved account of each role, linked to its unit, deputy or leader (conftest's fixtures).
ACCOUNTS = {
    Role.OFFICE: "office",
    Role.LEADER: "leader_user",
    Role.UNIT_STAFF: "clerk",
    Role.UNIT_HEAD: "head",
    Role.DEPUTY: "deputy_user",
    Role.CONGRESS: "congress",
}


@pytest.mark.parametrize(("perm", "holders"), EXPECTED, ids=[perm for perm, _ in EXPECTED])
def test_role_permission_table(perm, holders):
    # the role alone decides: an unsaved account of each role is enough
    row = {role: User(username=role, role=role).has_perm(perm) for role in Role}
    assert row == {role: role in holders for role in Role}


def test_saved_accounts_answer_as_the_table_says(request):
    """Each role's saved account, linked to its unit, deputy or leader, holds its row of the table and no more:
    the deputy rates but neither assigns nor sees everything, the head signs replies and the clerk does not."""
    for role, fixture in ACCOUNTS.items():
        user = request.getfixturevalue(fixture)
        held = {perm for perm, _ in EXPECTED if user.has_perm(perm)}
        assert held == {perm for perm, holders in EXPECTED if role in holders}, role


def test_every_workflow_action_is_a_permission_some_role_holds():
    held = set().union(*ROLE_PERMISSIONS.values())
    missing = {a.permission for a in workflow.ACTIONS.values() if not a.system} - held
    assert missing == set()
    # the system's own actions (recompute_deadline) are taken by the application, by no role
    assert {a.permission for a in workflow.ACTIONS.values() if a.system} & held == set()
    assert workflow.REGISTER.permission in held


def test_unknown_role_has_no_permissions():
    assert role_permissions("janitor") == frozenset()


def test_inactive_user_has_no_permissions(office):
    office.is_active = False
    office.save()
    assert not office.has_perm("suggestions.assign")
    assert office.get_all_permissions() == set()


def test_anonymous_user_has_no_permissions(db):
    assert not AnonymousUser().has_perm("suggestions.view_all")


def test_office_maintains_reference_data_in_the_admin(office, clerk):
    assert office.has_perm("suggestions.change_category")
    assert office.has_perm("accounts.view_user")
    assert not office.has_perm("suggestions.delete_suggestion")
    assert office.has_module_perms("suggestions")
    assert not clerk.has_perm("suggestions.change_category")
    assert not clerk.has_module_perms("suggestions")


# --- with an object, visibility decides ------------------------------------------------------------------------


def test_permission_on_a_suggestion_needs_the_suggestion_to_be_visible(
    registered, deputy_user, other_deputy_user, units
):
    assert deputy_user.has_perm("suggestions.rate", registered)
    assert other_deputy_user.has_perm("suggestions.rate")
    assert not other_deputy_user.has_perm("suggestions.rate", registered)


def test_permission_on_an_assignment_needs_it_to_be_the_users_units(journey, clerk, co_clerk, outsider_clerk):
    journey.assign()
    lead = journey.lead
    assert clerk.has_perm("suggestions.sign_for", lead)
    assert not co_clerk.has_perm("suggestions.sign_for", lead)
    assert not outsider_clerk.has_perm("suggestions.sign_for", lead)


def test_permission_on_a_reply_follows_the_assignment_it_answers(journey, clerk, co_clerk, outsider_clerk):
    journey.assign().sign().draft()
    reply = Reply.objects.get()
    assert clerk.has_perm("suggestions.draft_reply", reply)
    assert not co_clerk.has_perm("suggestions.draft_reply", reply)
    assert not outsider_clerk.has_perm("suggestions.draft_reply", reply)


def test_permission_on_reference_data_needs_no_visibility(office, units):
    assert office.has_perm("suggestions.change_handlingunit", units["transport"])


def test_an_account_with_an_unknown_role_may_do_nothing(db):
    user = make_user("nobody", Role.CONGRESS)
    user.role = "janitor"
    assert not user.has_perm("suggestions.view_all")
    assert user.get_all_permissions() == set()


# --- least privilege -------------------------------------------------------------------------------------------


def test_a_new_account_has_no_role_and_may_do_nothing(client, registered):
    from suggestions.models import Assignment, Event

    user = User.objects.create_user("newcomer", password="Newcomer@2024")
    assert user.role == "" and not user.is_staff and not user.is_superuser
    assert user.get_all_permissions() == set()
    assert not user.has_perm("suggestions.view_all") and not user.has_perm("suggestions.register")
    assert not Suggestion.objects.visible_to(user).exists()
    assert not Assignment.objects.visible_to(user).exists()
    assert not Event.objects.visible_to(user).exists()
    client.force_login(user)
    home = client.get("/")
    assert "您的账号尚未分配角色" in home.content.decode()
    assert registered.title not in client.get("/suggestions/").content.decode()
    assert client.get(f"/suggestions/{registered.pk}/").status_code == 404
    assert client.get("/dashboard/").status_code == 403
