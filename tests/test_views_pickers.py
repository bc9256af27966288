"""The searchable pickers: which selects ask for one, what each leaves out, which show in which mode, and that
the server still ignores the field of the mode not chosen."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from suggestions.models import Assignment
from tests.view_helpers import post_action, section, text

pytestmark = pytest.mark.django_db

REGISTER = reverse("suggestions:register")


def tag(html, name):
    found = re.search(rf'<select name="{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


# --- the pickers the forms ask for --------------------------------------------------------------------------


def test_the_joint_deputies_are_a_searchable_picker_without_the_lead_deputy(client, office, session):
    client.force_login(office)
    html = text(client.get(REGISTER))
    joint = re.search(r'<select name="joint_deputies"[^>]*>', html).group(0)
    assert "data-picker" in joint and 'data-exclude-from="lead_deputy"' in joint
    assert 'data-placeholder="输入代表姓名查找，可选多位"' in joint
    assert "vendor/tom-select/tom-select.popular.min.js" in html and "js/form-tools.js" in html


def test_the_picker_files_are_served_from_static():
    for path in ("vendor/tom-select/tom-select.popular.min.js", "vendor/tom-select/tom-select.bootstrap5.min.css",
                 "js/form-tools.js"):  # fmt: skip
        assert finders.find(path), f"{path} missing: run scripts/copy-assets"
    with open(finders.find("js/form-tools.js"), encoding="utf-8") as file:
        script = file.read()
    assert "无匹配结果" in script and "http" not in script  # Chinese texts; nothing fetched from elsewhere


def test_the_assign_modal_shows_协办_and_分办_each_in_its_mode(client, registered, office, units):
    client.force_login(office)
    modal = section(client.get(reverse("suggestions:detail", args=[registered.pk])), "action-assign-s")
    lead, co, separate = tag(modal, "lead_unit"), tag(modal, "co_units"), tag(modal, "separate_units")
    assert 'data-when="mode=lead"' in lead and 'data-when="mode=lead"' in co
    assert 'data-when="mode=separate"' in separate
    assert all("data-picker" in t for t in (lead, co, separate))
    assert 'data-exclude-from="lead_unit"' in co  # the chosen lead unit is not offered as a co-unit
    assert 'data-placeholder="输入单位名称查找，可选多个"' in co
    assert re.search(
        r'<option value="\d+" data-keywords="交通局">市交通运输局</option>', modal
    )  # 交通局 finds it


def test_the_server_ignores_the_units_of_the_mode_not_chosen(client, registered, office, units):
    client.force_login(office)
    post_action(
        client, registered, "assign",
        {"mode": "lead", "lead_unit": units["transport"].pk, "co_units": [units["finance"].pk],
         "separate_units": [units["housing"].pk, units["health"].pk], "assigned_on": "2025-03-03", "months": 3},
    )  # fmt: skip
    parts = {(a.unit.name, a.role) for a in Assignment.objects.filter(suggestion=registered)}
    assert parts == {("市交通运输局", "lead"), ("市财政局", "co")}


def test_the_lead_unit_as_a_co_unit_too_is_refused_by_the_server(client, registered, office, units):
    client.force_login(office)
    response = post_action(
        client, registered, "assign",
        {"mode": "lead", "lead_unit": units["finance"].pk, "co_units": [units["finance"].pk],
         "assigned_on": "2025-03-03", "months": 3},
    )  # fmt: skip
    assert response.status_code == 400
    assert "主办单位不能同时是协办单位。" in section(response, "action-assign-s")
    assert not Assignment.objects.exists()
