"""The list of suggestions, the register page and the edit page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import workflow
from suggestions.models import Event, Suggestion
from tests.conftest import AT
from tests.view_helpers import detail_url, messages_shown, text, timeline

pytestmark = pytest.mark.django_db

LIST = reverse("suggestions:list")
REGISTER = reverse("suggestions:register")


def form_data(s=None, **changes):
    """What the register/edit form posts: the suggestion's current values, with ``changes``."""
    data = {
        "number": s.number,
        "title": s.title,
        "content": s.content,
        "source": s.source,
        "submitted_on": "",
        "lead_deputy": s.lead_deputy_id,
        "joint_deputies": [d.pk for d in s.joint_deputies.all()],
        "delegation": s.delegation_id,
        "category": s.category_id,
        "leader": s.leader_id or "",
        "supervising_leader": s.supervising_leader_id or "",
        "remarks": s.remarks,
    }
    if s.is_key:
        data["is_key"] = "on"
    data.update(changes)
    return data


def new_suggestion_data(session, deputies, categories, **changes):
    data = {
        "session": session.pk,
        "number": 5,
        "title": "关于增设城区公交站点候车亭的建议",
        "content": "城区部分公交站点没有候车亭，建议增设。",
        "source": "session",
        "submitted_on": "2025-03-01",
        "lead_deputy": deputies["lead"].pk,
        "joint_deputies": [deputies["joint"].pk, deputies["other"].pk],
        "category": categories["城建交通"].pk,
    }
    data.update(changes)
    return data


def another(office, session, deputies, categories, number, lead="other"):
    return workflow.register(
        user=office, at=AT, session=session, number=number, title=f"第{number}件建议",
        lead_deputy=deputies[lead], category=categories["教科文卫"],
    )  # fmt: skip


# --- the list ---------------------------------------------------------------------------------------------


def test_each_person_lists_what_they_may_see(
    client, journey, office, clerk, deputy_user, session, deputies, categories
):
    s = journey.assign().s
    other = another(office, session, deputies, categories, 2)
    client.force_login(office)
    html = text(client.get(LIST))
    assert s.title in html and other.title in html
    client.force_login(clerk)
    html = text(client.get(LIST))
    assert s.title in html and other.title not in html
    client.force_login(deputy_user)
    response = client.get(LIST)
    assert s.title in text(response) and other.title not in text(response)
    assert "我的建议" in text(response)


def test_the_list_filters_by_keyword_and_state(client, journey, office, session, deputies, categories):
    s = journey.assign().s
    other = another(office, session, deputies, categories, 2)
    client.force_login(office)
    html = text(client.get(LIST, {"q": "农村道路"}))
    assert s.title in html and other.title not in html
    html = text(client.get(LIST, {"state": "registered"}))
    assert other.title in html and s.title not in html
    assert "共 1 件" in html


def test_list_queries_do_not_grow_with_the_rows(
    client, office, session, deputies, categories, django_assert_max_num_queries
):
    another(office, session, deputies, categories, 1)
    client.force_login(office)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST)
    for number in range(2, 7):
        another(office, session, deputies, categories, number)
    with django_assert_max_num_queries(len(small)):
        assert "共 6 件" in text(client.get(LIST))


# --- register -------------------------------------------------------------------------------------------


def test_the_register_page_offers_the_current_session(client, office, session):
    client.force_login(office)
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert "登记建议" in text(response)
    assert f'<option value="{session.pk}" selected>' in text(response)


def test_register_a_suggestion(client, office, session, deputies, categories, delegation):
    client.force_login(office)
    response = client.post(REGISTER, new_suggestion_data(session, deputies, categories), follow=True)
    s = Suggestion.objects.get(number=5)
    assert response.redirect_chain == [(detail_url(s), 302)]
    assert messages_shown(response) == ["已登记第5号建议。"]
    assert s.state == Suggestion.State.REGISTERED and s.created_by == office
    assert s.delegation == delegation  # taken from the lead deputy
    assert {d.name for d in s.joint_deputies.all()} == {"钱晓梅", "孙志强"}
    assert "登记第5号建议" in timeline(response)


def test_register_refuses_a_number_already_used(client, registered, office, session, deputies, categories):
    client.force_login(office)
    response = client.post(REGISTER, new_suggestion_data(session, deputies, categories, number=1))
    assert response.status_code == 400
    assert "本届次会议中已有该编号的建议。" in text(response)
    assert Suggestion.objects.count() == 1


def test_register_refuses_a_key_suggestion_without_its_leader(client, office, session, deputies, categories):
    client.force_login(office)
    data = new_suggestion_data(session, deputies, categories, is_key="on")
    response = client.post(REGISTER, data)
    assert response.status_code == 400
    block = text(response).split('data-field="supervising_leader"')[1].split("data-field=")[0]
    assert "重点建议必须指定督办领导。" in block
    assert not Suggestion.objects.exists()


# --- edit -------------------------------------------------------------------------------------------------


def test_the_edit_page_shows_the_current_values(client, registered, office):
    client.force_login(office)
    response = client.get(reverse("suggestions:edit", args=[registered.pk]))
    assert response.status_code == 200
    assert "修改第1号建议" in text(response)
    assert 'value="关于农村道路提档升级的建议"' in text(response)


def test_edit_the_title(client, journey, office):
    s = journey.assign().s
    client.force_login(office)
    url = reverse("suggestions:edit", args=[s.pk])
    response = client.post(url, form_data(s, title="关于农村公路提档升级改造的建议"), follow=True)
    assert response.redirect_chain == [(detail_url(s), 302)]
    assert messages_shown(response) == ["登记信息已修改。"]
    assert "第1号 关于农村公路提档升级改造的建议" in text(response)
    assert "修改：案由" in timeline(response)
    s.refresh_from_db()
    assert s.state == Suggestion.State.ASSIGNED  # editing never moves the suggestion


def test_a_closed_suggestion_cannot_be_edited(client, journey, office):
    s = journey.assign().reply().rate(3).s
    workflow.perform("close", user=office, suggestion=s)
    events = Event.objects.count()
    client.force_login(office)
    response = client.post(reverse("suggestions:edit", args=[s.pk]), form_data(s, title="新标题"))
    assert response.status_code == 400
    assert "建议当前状态为「已办结」，不能修改登记信息。" in text(response)
    s.refresh_from_db()
    assert s.title == "关于农村道路提档升级的建议"
    assert Event.objects.count() == events


def test_opening_the_edit_page_of_a_closed_suggestion_says_why_at_once(client, journey, office):
    s = journey.assign().reply().rate(3).s
    workflow.perform("close", user=office, suggestion=s)
    client.force_login(office)
    response = client.get(reverse("suggestions:edit", args=[s.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("suggestions:detail", args=[s.pk])
    assert "建议当前状态为「已办结」，不能修改登记信息。" in text(response)
