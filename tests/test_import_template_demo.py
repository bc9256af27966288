"""The import template's example row goes in as it is on the demo: a real deputy, delegation, category and units
of fixtures/demo_reference.json, and a number the demo's current session has not used."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from suggestions import imports, selectors
from suggestions.models import Assignment, Suggestion

pytestmark = pytest.mark.django_db


def test_the_downloaded_template_imports_cleanly_on_the_demo(client):
    call_command("seed_demo", stdout=io.StringIO())
    office = User.objects.get(username="office")
    session = selectors.current_session()
    before = Suggestion.objects.filter(session=session).count()
    client.force_login(office)
    response = client.get(reverse("suggestions:import_template"))
    assert response.status_code == 200

    plan = imports.read_plan(response.content, session=session)
    assert [str(p) for p in plan.all_problems] == []  # no error, no warning: every name matched
    (row,) = plan.rows
    assert (row.lead_deputy.name, row.lead_deputy.delegation.name) == ("刘海涛", "开元街道代表团")
    assert [d.name for d in row.joint_deputies] == ["郭丽萍", "闫建军"]
    assert (row.lead_unit.name, [u.name for u in row.co_units]) == ("市交通运输局", ["市财政局"])

    result = imports.run_import(plan, user=office, assign=True)
    assert result.assigned == 1
    imported = Suggestion.objects.get(session=session, number=33)
    assert imported.title == "关于加快农村道路提档升级的建议" and imported.category.name == "城建交通"
    assert Suggestion.objects.filter(session=session).count() == before + 1
    parts = Assignment.objects.filter(suggestion=imported).values_list("unit__name", "role")
    assert sorted(parts) == [("市交通运输局", "lead"), ("市财政局", "co")]
