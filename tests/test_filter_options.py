"""The list's 代表, 主办单位 and 协办单位 filters: drawn with the chosen value only, their options asked of
``suggestions:filter_options`` while a person types (``static/js/form-tools.js``), by whoever is offered them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions.models import Deputy
from suggestions.views.tools import FILTER_OPTIONS_LIMIT
from tests.test_views_list_search import numbers_listed, register
from tests.view_helpers import text

pytestmark = pytest.mark.django_db

LIST = reverse("suggestions:list")


def options_url(name):
    return reverse("suggestions:filter_options", args=[name])


def found(client, name, q=""):
    response = client.get(options_url(name), {"q": q})
    assert response.status_code == 200
    return [(row["value"], row["text"]) for row in response.json()["results"]]


def select(html, name):
    block = re.search(rf'<select name="{name}"([^>]*)>(.*?)</select>', html, re.S)
    assert block, name
    return block.group(1), re.findall(r'<option value="([^"]*)"( selected)?>(.*?)</option>', block.group(2))


# --- the JSON view ----------------------------------------------------------------------------------------------


def test_a_deputy_is_found_by_part_of_the_name(client, office, deputies):
    client.force_login(office)
    assert found(client, "deputy", "晓梅") == [(str(deputies["joint"].pk), "钱晓梅")]
    assert found(client, "deputy", "王") == []
    assert {text for _, text in found(client, "deputy")} == {
        "赵明远",
        "钱晓梅",
        "孙志强",
    }  # nothing typed yet


def test_a_unit_is_found_by_its_short_name_as_the_pickers_find_it(client, office, units):
    client.force_login(office)
    assert found(client, "lead_unit", "住建局") == [(str(units["housing"].pk), "市住房和城乡建设管理局")]
    assert found(client, "co_unit", "交通") == [(str(units["transport"].pk), "市交通运输局")]
    rows = client.get(options_url("lead_unit"), {"q": "卫体"}).json()["results"]
    assert rows == [{"value": str(units["health"].pk), "text": "市卫生健康和体育局", "keywords": "卫体局"}]


def test_at_most_fifty_matches_in_the_selects_order(client, office, delegation):
    Deputy.objects.bulk_create(
        Deputy(name=f"李{n:03d}", delegation=delegation) for n in range(FILTER_OPTIONS_LIMIT + 20)
    )
    client.force_login(office)
    names = [text for _, text in found(client, "deputy", "李")]
    assert FILTER_OPTIONS_LIMIT == 50 and names == [f"李{n:03d}" for n in range(50)]


def test_the_options_are_for_whoever_is_offered_the_filter(client, office, leader_user, congress, clerk, head, deputy_user, deputies):  # fmt: skip
    response = client.get(options_url("deputy"), {"q": "赵"})
    assert response.status_code == 302 and "/login" in response["Location"]  # anonymous
    for user in (office, leader_user, congress):
        client.force_login(user)
        assert found(client, "deputy", "赵") == [(str(deputies["lead"].pk), "赵明远")], user
    for user in (clerk, head, deputy_user):  # never offered the deputy or unit filters
        client.force_login(user)
        for name in ("deputy", "lead_unit", "co_unit"):
            assert client.get(options_url(name), {"q": "赵"}).status_code == 403, (user, name)
    client.force_login(office)
    assert client.get(options_url("category")).status_code == 404  # only the selects drawn on demand
    assert client.post(options_url("deputy")).status_code == 405


# --- the list page ------------------------------------------------------------------------------------------------


def test_the_list_draws_no_deputy_or_unit_options_and_does_not_read_the_deputies(
    client, registered, office, units
):
    client.force_login(office)
    with CaptureQueriesContext(connection) as queries:
        html = text(client.get(LIST))
    assert not [q for q in queries if 'FROM "suggestions_deputy"' in q["sql"]]
    for name in ("deputy", "lead_unit", "co_unit"):
        attrs, options = select(html, name)
        assert options == [("", " selected", "全部")], name
        assert f'data-options-url="{options_url(name)}"' in attrs and "data-picker" in attrs
    assert "赵明远" not in html.split('id="results"')[0]  # the filter form names no deputy


def test_filtering_by_a_deputy_in_the_address_still_works_and_shows_the_choice(
    client, registered, office, session, categories, deputies
):
    register(office, session, categories, deputies, 2, "关于增加城区学校学位的建议")  # 孙志强's
    client.force_login(office)
    response = client.get(LIST, {"deputy": deputies["joint"].pk})  # 钱晓梅 joined No. 1
    assert numbers_listed(response) == ["第1号"]
    _, options = select(text(response), "deputy")
    assert options == [("", "", "全部"), (str(deputies["joint"].pk), " selected", "钱晓梅")]
    assert client.get(LIST, {"deputy": 99999}).status_code == 400  # no such deputy: refused as before


def test_a_chosen_unit_is_drawn_selected(client, registered, office, units):
    client.force_login(office)
    html = text(client.get(LIST, {"co_unit": units["finance"].pk}))
    _, options = select(html, "co_unit")
    assert options == [("", "", "全部"), (str(units["finance"].pk), " selected", "市财政局")]
