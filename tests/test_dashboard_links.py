"""Every link the dashboard builds opens the list of what its figure counts, for one session and for all
sessions (``?session=all``, which the list and the summary export accept): the list's 「共 N 件」 is the figure."""

import io
import re
from html import unescape

import openpyxl
import pytest
from django.urls import reverse

from suggestions import workflow
from suggestions.models import CongressSession
from tests.view_helpers import section, text

pytestmark = pytest.mark.django_db

TOTAL = re.compile(r"共\s*(\d+)\s*件")
LIST_LINK = re.compile(r'href="(/suggestions/\?[^"]+)"')


@pytest.fixture
def world(journey, office, units, leaders, categories, deputies, session):
    """Eight suggestions in two sessions, in the states whose counting differs between a figure and a plain list:

    no  session  category  units                         state
    1   2025     城建交通    主办 交通局, 协办 财政局         不满意, re-handled, 满意, closed (key)
    2   2025     城建交通    主办 交通局                    不满意, being re-handled
    3   2025     教科文卫    主办 卫体局                    assigned, overdue
    4   2025     社会民生    -                            handed to the court (not counted per category)
    5   2025     城建交通    主办 住建局                    withdrawn after assignment (keeps its unit, leader)
    6   2025     经济环保    分办 交通局、财政局              assigned
    7   2024     城建交通    主办 交通局                    C reply, 基本满意, closed
    8   2024     农林水利    -                            registered
    """
    session.is_current = True
    session.save()
    past = CongressSession.objects.create(name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4)

    def new(number, title, category, in_session=session):
        s = workflow.register(
            user=office,
            at=journey.at,
            session=in_session,
            number=number,
            title=title,
            lead_deputy=deputies["lead"],
            category=categories[category],
        )
        j = journey
        return type(j)(s, office=office, clerk=j.clerk, head=j.head, units=units, deputy_user=j.deputy_user)

    workflow.perform(
        "edit", user=office, suggestion=journey.s, is_key=True, supervising_leader=leaders["traffic"]
    )
    journey.assign().reply().rate(overall=1)
    journey.sign().draft().sign_off().submit().accept().rate(overall=3)
    workflow.perform("close", user=office, suggestion=journey.s, at=journey.step())

    new(2, "关于增设公交站点的建议", "城建交通").assign(co=False).reply("B").rate(overall=1)
    school = new(3, "关于新建城区小学的建议", "教科文卫").s
    workflow.perform("assign", user=office, suggestion=school, at=journey.at, lead_unit=units["health"])
    court = new(4, "关于加强执行工作的建议", "社会民生").s
    workflow.perform("hand_over", user=office, suggestion=court, at=journey.at, other_organ="市中级人民法院")
    park = new(5, "关于缓解城区停车难的建议", "城建交通").s
    workflow.perform("assign", user=office, suggestion=park, at=journey.at, lead_unit=units["housing"])
    workflow.perform("withdraw", user=office, suggestion=park, at=journey.at, reason="代表撤回")
    split = new(6, "关于园区道路的建议", "经济环保").s
    workflow.perform(
        "assign",
        user=office,
        suggestion=split,
        at=journey.at,
        separate_units=[units["transport"], units["finance"]],
    )
    old = new(7, "关于老旧小区改造的建议", "城建交通", in_session=past)
    old.assign(co=False).reply("C").rate(overall=2)
    workflow.perform("close", user=office, suggestion=old.s, at=old.step())
    new(8, "关于农田水利的建议", "农林水利", in_session=past)
    return past


def dashboard_links(response):
    """{list url: the figure shown with it} for every link the dashboard builds to the list."""
    chart, context = response.context["chart"], response.context
    figures = {}
    for key in ("category", "states", "classes"):
        figures.update({row["url"]: row["value"] for row in chart[key]})
    figures.update({row["url"]: row["lead"] for row in context["units"]})  # the unit's name: as lead unit
    figures.update({row["url"]: row["total"] for row in context["portfolios"] if row.get("url")})
    card = section(response, "figures")
    figures.update({unescape(url): int(n) for url, n in re.findall(r'href="([^"]+)">(\d+)</a>', card)})
    return figures


def listed_count(response):
    """The list's 「共 N 件」; the count behind it when the page shows no rows (the template then leaves the line
    out)."""
    found = TOTAL.search(text(response))
    count = response.context["page"].paginator.count
    if found is None:
        assert count == 0
    else:
        assert int(found.group(1)) == count
    return count


def list_total(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return listed_count(response)


@pytest.mark.parametrize("who", ["office", "leader_user"])
@pytest.mark.parametrize("scope", ["session", "all"])
def test_every_dashboard_link_opens_a_list_of_the_number_it_shows(
    client, request, world, session, who, scope
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(
        reverse("suggestions:dashboard"), {"session": session.pk if scope == "session" else "all"}
    )
    assert response.status_code == 200
    links = dashboard_links(response)
    on_page = {unescape(url) for url in LIST_LINK.findall(text(response))}
    assert on_page <= set(links), on_page - set(links)  # no link left unchecked
    assert len(links) >= 15
    wrong = {
        url: (shown, listed) for url, shown in links.items() if (listed := list_total(client, url)) != shown
    }
    assert not wrong, wrong
    if scope == "all":
        assert all("session=all" in url for url in links)
        assert response.context["figures"]["total"] == (8 if who == "office" else 5)


def test_the_summary_export_takes_all_sessions(client, office, world):
    client.force_login(office)
    params = {"session": "all", "state": "closed"}
    response = client.get(reverse("suggestions:export_summary"), params)
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert (
        "全部届次" in response["Content-Disposition"]
        or "%E5%85%A8%E9%83%A8" in response["Content-Disposition"]
    )
    rows = [row for row in ws.iter_rows(min_row=4, values_only=True)]
    assert len(rows) == list_total(client, reverse("suggestions:list") + "?session=all&state=closed") == 2
    assert {row[2] for row in rows} == {"关于农村道路提档升级的建议", "关于老旧小区改造的建议"}
