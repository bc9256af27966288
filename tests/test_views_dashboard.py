"""The dashboard: every table and chart reads the statistics keyed by value and names them from the choices."""

import re
from html import unescape

import pytest
from django.urls import reverse

from suggestions import rules
from suggestions.models import Suggestion
from tests.test_statistics import data, make  # noqa: F401  (the eight suggestions counted by eye)
from tests.view_helpers import section, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("data")]

ROW = re.compile(
    r'<tr><td>(?:<a href="([^"]*)">)?([^<]*)(?:</a>)?</td><td class="text-end">([^<]*)</td></tr>'
)


def dashboard(client, user, session):
    client.force_login(user)
    response = client.get(reverse("suggestions:dashboard"), {"session": session.pk})
    assert response.status_code == 200
    return response


def rows(response, table_id):
    """(name, figure, link) for each row of the table with ``id=table_id`` whose cells are a name and a figure."""
    html = text(response)
    start = html.index(f'id="{table_id}"')
    table = html[start : html.index("</table>", start)]
    return [(name, n, unescape(url)) for url, name, n in ROW.findall(table)]


def list_url(session, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('suggestions:list')}?session={session.pk}&{query}"


def test_result_classes_are_named_from_the_choices_and_link_to_the_list(client, office, session):
    response = dashboard(client, office, session)
    assert rows(response, "table-classes")[:3] == [
        ("A 已解决或采纳", "1", list_url(session, result_class="A")),
        ("B 正在解决或列入计划解决", "2", list_url(session, result_class="B")),
        ("C 因条件限制暂时无法解决", "1", list_url(session, result_class="C")),
    ]
    assert [(c["name"], c["value"]) for c in response.context["chart"]["classes"]] == [
        ("A", 1),
        ("B", 2),
        ("C", 1),
    ]


def test_categories_link_to_the_list_by_id_even_after_a_rename(client, office, session, categories):
    road = categories["城建交通"]
    road.name = "城乡建设类"
    road.save()
    response = dashboard(client, office, session)
    assert rows(response, "table-category")[0] == (
        "城乡建设类",
        "2",
        list_url(session, state="government", category=road.pk),  # the figure counts government-handled
    )


def test_states_are_named_in_chinese_and_link_by_value(client, office, session):
    response = dashboard(client, office, session)
    assert rows(response, "table-states") == [
        ("已交办", "1", list_url(session, state="assigned")),
        ("办理中", "1", list_url(session, state="in_handling")),
        ("已答复", "1", list_url(session, state="replied")),
        ("已办结", "3", list_url(session, state="closed")),
        ("非政府承办", "1", list_url(session, state="not_government")),
        ("已撤回", "1", list_url(session, state="withdrawn")),
    ]
    funnel = {stage["name"]: stage["value"] for stage in response.context["chart"]["funnel"]}
    assert funnel == {"登记": 6, "交办": 6, "签收办理": 5, "答复": 4, "办结": 3}


def test_the_figures_card_counts_every_result_class(client, office, session):
    overview = section(dashboard(client, office, session), "figures")
    assert "1/2/1</div>" in overview and "A/B/C类答复" in overview


@pytest.mark.usefixtures("four_result_classes")
def test_a_county_with_four_result_classes_sees_them_without_a_template_change(client, office, session):
    Suggestion.objects.filter(state=Suggestion.State.REPLIED, result_class="C").update(result_class="D")
    response = dashboard(client, office, session)
    assert rows(response, "table-classes")[:4] == [
        ("A 所提问题已经解决或基本解决", "1", list_url(session, result_class="A")),
        ("B 所提问题正在解决", "2", list_url(session, result_class="B")),
        ("C 所提问题已列入规划逐步解决", "0", list_url(session, result_class="C")),
        ("D 因条件限制留作参考", "1", list_url(session, result_class="D")),
    ]
    overview = section(response, "figures")
    assert "1/2/0/1</div>" in overview and "A/B/C/D类答复" in overview
    assert rules.codes() == ["A", "B", "C", "D"]
