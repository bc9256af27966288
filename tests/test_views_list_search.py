"""The list's keyword search, its empty result, its filters' empty choices and the filters each person is shown."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import workflow
from suggestions.filters import DEPUTY_FILTERS, UNIT_FILTERS, SuggestionFilter
from tests.conftest import AT
from tests.view_helpers import text

pytestmark = pytest.mark.django_db

LIST = reverse("suggestions:list")
ROW_NUMBER = re.compile(r"<td class=\"text-nowrap\">(?:<input[^>]*>)?(?:<label[^>]*>)?(第\d+号)")


def numbers_listed(response):
    """The suggestion numbers in the list's rows, in page order."""
    assert response.status_code == 200
    return ROW_NUMBER.findall(text(response))


def register(office, session, categories, deputies, number, title, lead="other", joint=()):
    return workflow.register(
        user=office, at=AT, session=session, number=number, title=title, content="",
        lead_deputy=deputies[lead], joint_deputies=[deputies[d] for d in joint], category=categories["教科文卫"],
    )  # fmt: skip


def search(client, user, q):
    client.force_login(user)
    return numbers_listed(client.get(LIST, {"q": q}))


@pytest.fixture
def second(office, session, categories, deputies):
    """No. 2: 孙志强's, unrelated to No. 1 (赵明远's, with 钱晓梅 as joint deputy)."""
    return register(office, session, categories, deputies, 2, "关于增加城区学校学位的建议")


# --- what the keyword finds -------------------------------------------------------------------------------


def test_search_finds_the_lead_and_the_joint_deputies_by_name(client, registered, second, office):
    assert search(client, office, "赵明远") == ["第1号"]  # lead deputy of No. 1
    assert search(client, office, "晓梅") == ["第1号"]  # joint deputy of No. 1, part of the name
    assert search(client, office, "孙志强") == ["第2号"]


def test_search_finds_the_units_handling_it_by_full_or_short_name_once_each(client, journey, second, office):
    journey.assign()  # 交通运输局 leads, 财政局 helps
    assert search(client, office, "市财政局") == ["第1号"]
    assert search(client, office, "交通局") == ["第1号"]  # the short name
    assert search(client, office, "局") == ["第1号"]  # two matching units, still one row


def test_search_finds_an_accepted_reply_by_its_document_number(client, journey, second, deputy_user, office):
    journey.assign().reply()
    assert search(client, office, "霍交函〔2025〕12号") == ["第1号"]
    assert search(client, deputy_user, "〔2025〕12") == ["第1号"]


def test_search_does_not_reveal_a_draft_reply_by_its_document_number(
    client, journey, office, clerk, deputy_user, co_clerk
):
    journey.assign().sign().draft()  # drafted by the transport bureau, not yet signed or sent
    assert search(client, deputy_user, "霍交函") == []  # the deputy may not read a draft
    assert search(client, co_clerk, "霍交函") == []  # nor may the co-unit
    assert search(client, office, "霍交函") == []  # nor the office, before the unit sends it
    assert search(client, clerk, "霍交函") == ["第1号"]  # the unit that wrote it reads its own draft


def test_search_still_reads_numbers_titles_and_contents(client, registered, second, office):
    assert search(client, office, "第2号") == ["第2号"]
    assert search(client, office, "学位") == ["第2号"]
    assert search(client, office, "路面破损") == ["第1号"]


def test_search_stays_within_what_the_person_may_see(client, journey, second, clerk):
    journey.assign()
    assert search(client, clerk, "孙志强") == []  # No. 2 is not the transport bureau's


def test_an_empty_result_says_so_and_offers_to_clear_the_filters(client, registered, office):
    client.force_login(office)
    response = client.get(LIST, {"q": "没有这样的建议"})
    html = text(response)
    assert response.status_code == 200
    assert "没有符合条件的建议。" in html
    assert re.search(r'<a [^>]*href="/suggestions/"[^>]*>清除筛选条件</a>', html)
    assert "共 0 件" not in html and "<table" not in html


def test_an_empty_list_without_filters_has_no_clear_link(client, office, session):
    client.force_login(office)
    html = text(client.get(LIST))
    assert "没有符合条件的建议。" in html and "清除筛选条件" not in html


def test_search_queries_do_not_grow_with_the_rows(
    client, journey, office, session, categories, deputies, django_assert_max_num_queries
):
    journey.assign()
    client.force_login(office)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST, {"q": "局"}).status_code == 200
    for number in range(2, 8):
        s = register(office, session, categories, deputies, number, f"第{number}件", joint=("joint",))
        workflow.perform("assign", user=office, suggestion=s, at=AT, lead_unit=journey.units["housing"])
    with django_assert_max_num_queries(len(few)):
        assert len(numbers_listed(client.get(LIST, {"q": "局"}))) == 7


# --- the filters ------------------------------------------------------------------------------------------


def select_options(html, name):
    block = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert block, name
    return re.findall(r"<option[^>]*>(.*?)</option>", block.group(1))


def filter_names(html):
    form = html[html.index('id="filters"') : html.index("</form>", html.index('id="filters"'))]
    return set(re.findall(r'name="([a-z_]+)"', form)) - {"ordering"}


def test_the_filters_offer_全部_not_dashes(client, registered, office):
    client.force_login(office)
    html = text(client.get(LIST))
    assert "---------" not in html
    for name in ("category", "state", "lead_unit", "co_unit", "leader", "result_class", "rating", "deputy"):
        assert select_options(html, name)[0] == "全部", name


def test_a_deputy_is_offered_their_own_few_filters(client, registered, deputy_user):
    client.force_login(deputy_user)
    html = text(client.get(LIST))
    assert filter_names(html) == set(DEPUTY_FILTERS) == {"q", "session", "state", "category"}
    assert "主办单位" not in html.split('id="filters"')[1].split("</form>")[0]


def test_a_unit_is_offered_the_filters_of_its_work(client, journey, clerk):
    journey.assign()
    client.force_login(clerk)
    names = filter_names(text(client.get(LIST)))
    assert names == set(UNIT_FILTERS)
    assert {"overdue", "due_within", "rating"} <= names and not {"lead_unit", "co_unit", "leader"} & names


def test_the_office_and_leaders_are_offered_every_filter(client, registered, office, leader_user):
    for user in (office, leader_user):
        client.force_login(user)
        assert filter_names(text(client.get(LIST))) == set(SuggestionFilter.base_filters) - {"ordering"}


def test_a_filter_not_offered_is_not_applied_either(client, journey, deputy_user, units):
    journey.assign()
    client.force_login(deputy_user)
    # No. 1 is led by the transport bureau; a deputy's list ignores a unit filter they were never offered
    assert numbers_listed(client.get(LIST, {"lead_unit": units["housing"].pk})) == ["第1号"]


def test_a_joint_deputy_finds_their_suggestion_by_the_lead_deputys_name(
    client, registered, second, joint_deputy_user, other_deputy_user
):
    assert search(client, joint_deputy_user, "赵明远") == ["第1号"]
    assert search(client, other_deputy_user, "赵明远") == []  # No. 1 is not theirs to see
