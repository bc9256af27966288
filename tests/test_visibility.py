"""Who sees which suggestions and assignments: ``visible_to`` decides once for every list, page and count."""

import pytest
from django.contrib.auth.models import AnonymousUser

from suggestions import workflow
from suggestions.models import Assignment, Suggestion
from tests.conftest import AT


@pytest.fixture
def world(registered, office, session, categories, deputies, units, leaders):
    """Four suggestions:

    road      lead 市交通运输局, co 市财政局; portfolio 王建国 (traffic); deputies 赵明远 (lead) + 钱晓梅 (joint)
    hospital  lead 市卫生健康和体育局; portfolio 李秀英 (health); deputy 孙志强
    school    lead 市卫生健康和体育局; portfolio 李秀英; key, supervised by 王建国; 孙志强 + 钱晓梅
    new       registered only, no portfolio yet; deputy 赵明远
    """

    def register(number, title, lead, joint=(), category="城建交通"):
        return workflow.register(
            user=office,
            at=AT,
            session=session,
            number=number,
            title=title,
            lead_deputy=deputies[lead],
            joint_deputies=[deputies[j] for j in joint],
            category=categories[category],
        )

    road = registered
    hospital = register(2, "关于改善社区医院就医环境的建议", "other", category="教科文卫")
    school = register(3, "关于新建城区小学的建议", "other", joint=["joint"], category="教科文卫")
    new = register(4, "关于增设公交站点的建议", "lead")

    def assign(s, lead, co=(), **extra):
        workflow.perform(
            "assign",
            user=office,
            suggestion=s,
            at=AT,
            lead_unit=units[lead],
            co_units=[units[c] for c in co],
            **extra,
        )

    assign(road, "transport", co=["finance"])
    assign(hospital, "health")
    assign(school, "health", is_key=True, supervising_leader=leaders["traffic"])
    return {"road": road, "hospital": hospital, "school": school, "new": new}


def visible(user, world):
    names = {s.pk: name for name, s in world.items()}
    return {names[pk] for pk in Suggestion.objects.visible_to(user).values_list("pk", flat=True)}


ALL = {"road", "hospital", "school", "new"}


# Who sees which of the four: the table every list, page, export and count relies on.
EXPECTED = {
    "office": ALL,
    "congress": ALL,
    "leader_user": {"road", "school"},  # portfolio + the key suggestion they supervise
    "other_leader_user": {"hospital", "school"},
    "clerk": {"road"},  # as lead unit
    "head": {"road"},
    "co_clerk": {"road"},  # as co-unit
    "outsider_clerk": {"hospital", "school"},
    "deputy_user": {"road", "new"},  # leads them
    "joint_deputy_user": {"road", "school"},  # leads one, joined the other
    "other_deputy_user": {"hospital", "school"},
}


def test_who_sees_which_suggestions(request, world):
    seen = {name: visible(request.getfixturevalue(name), world) for name in EXPECTED}
    assert seen == EXPECTED


def test_has_perm_on_a_suggestion_agrees_with_visibility(request, world):
    for name, expected in EXPECTED.items():
        user = request.getfixturevalue(name)
        perm = sorted(user.get_all_permissions())[0]
        assert {key for key, s in world.items() if user.has_perm(perm, s)} == expected, name


def test_unit_cannot_see_another_units_suggestion_nor_one_not_yet_assigned(world, clerk):
    mine = Suggestion.objects.visible_to(clerk)
    assert not mine.filter(pk=world["hospital"].pk).exists()
    assert not mine.filter(pk=world["new"].pk).exists()


def test_inactive_and_anonymous_users_see_nothing(world, office):
    office.is_active = False
    office.save()
    for user in (office, AnonymousUser()):
        assert visible(user, world) == set()
        assert not Assignment.objects.visible_to(user).exists()


def test_superuser_sees_everything_whatever_the_role(world, deputy_user):
    deputy_user.is_superuser = True
    deputy_user.save()
    assert visible(deputy_user, world) == ALL


def test_a_unit_that_received_a_reassigned_suggestion_sees_it(world, office, clerk, units, django_user_model):
    road = world["road"]
    lead = road.assignments.get(role="lead")
    workflow.perform(
        "request_reassignment", user=clerk, suggestion=road, assignment=lead, at=AT, reason="非本单位职责"
    )
    workflow.perform(
        "rule_reassignment",
        user=office,
        suggestion=road,
        assignment=lead,
        at=AT,
        approve=True,
        new_unit=units["housing"],
    )
    housing_clerk = django_user_model.objects.create_user(
        username="housing", role="unit_staff", unit=units["housing"]
    )
    assert visible(housing_clerk, world) == {"road"}
    assert visible(clerk, world) == set()  # the unit that handed it on no longer opens it
    assert assignment_units(clerk) == []
    # the office still sees both parts, the one handed on among them
    assert (1, "交通局") in assignment_units(office) and (1, "住建局") in assignment_units(office)


# --- assignments ---------------------------------------------------------------------------------------------


def assignment_units(user):
    return sorted(Assignment.objects.visible_to(user).values_list("suggestion__number", "unit__short_name"))


def test_who_sees_which_assignments(world, office, clerk, co_clerk, outsider_clerk, leader_user, deputy_user):
    assert assignment_units(office) == [(1, "交通局"), (1, "财政局"), (2, "卫体局"), (3, "卫体局")]
    # a unit sees the parts of the suggestions it handles: it works with the other units on them
    assert assignment_units(clerk) == [(1, "交通局"), (1, "财政局")]
    assert assignment_units(co_clerk) == [(1, "交通局"), (1, "财政局")]
    assert assignment_units(outsider_clerk) == [(2, "卫体局"), (3, "卫体局")]
    # leaders and deputies see the parts of the suggestions they see
    assert assignment_units(leader_user) == [(1, "交通局"), (1, "财政局"), (3, "卫体局")]
    assert assignment_units(deputy_user) == [(1, "交通局"), (1, "财政局")]
