"""Registering: the next free number is proposed, and a title like one the lead deputy already has is warned of
(a warning: the suggestion can still be saved)."""

import re

import pytest
from django.urls import reverse

from suggestions import selectors, workflow
from suggestions.models import CongressSession, Suggestion
from suggestions.similarity import THRESHOLD, core, similarity
from tests.conftest import AT
from tests.view_helpers import text

pytestmark = pytest.mark.django_db

REGISTER = reverse("suggestions:register")
NUMBER_HINT = reverse("suggestions:number_hint")
SIMILAR = reverse("suggestions:similar_titles")


def register(office, session, categories, deputies, number, title, lead="lead", joint=()):
    return workflow.register(
        user=office, at=AT, session=session, number=number, title=title, lead_deputy=deputies[lead],
        joint_deputies=[deputies[d] for d in joint], category=categories["城建交通"],
    )  # fmt: skip


# --- the next free number -----------------------------------------------------------------------------------


def test_the_register_form_proposes_one_past_the_highest_number(
    client, registered, office, session, categories, deputies
):
    register(office, session, categories, deputies, 5, "关于第五件事的建议")  # 2-4 are a gap: not filled
    client.force_login(office)
    html = text(client.get(REGISTER))
    assert re.search(r'<input type="number" name="number" value="6"', html)
    assert selectors.next_free_number(session) == 6


def test_the_first_suggestion_of_a_session_is_number_one(client, office, session):
    client.force_login(office)
    assert re.search(r'name="number" value="1"', text(client.get(REGISTER)))


def test_the_number_hint_follows_the_session_and_warns_of_a_number_taken(client, registered, office, session):
    other = CongressSession.objects.create(name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4)
    client.force_login(office)
    html = text(client.get(NUMBER_HINT, {"session": session.pk, "number": "1"}))
    assert "本届次下一个可用编号：第2号" in html
    assert "第1号已登记为「关于农村道路提档升级的建议」，请改用其他编号。" in html
    html = text(client.get(NUMBER_HINT, {"session": other.pk, "number": "1"}))
    assert "本届次下一个可用编号：第1号" in html and "已登记为" not in html
    assert text(client.get(NUMBER_HINT, {"session": "x"})).strip() == ""


# --- titles alike -----------------------------------------------------------------------------------------


def hint(client, session, deputy, title):
    response = client.get(SIMILAR, {"session": session.pk, "lead_deputy": deputy.pk, "title": title})
    assert response.status_code == 200
    return text(response)


def test_a_title_like_one_the_lead_deputy_has_is_warned_of(client, registered, office, session, deputies):
    client.force_login(office)
    html = hint(client, session, deputies["lead"], "关于加快农村道路提档升级的建议")
    assert "赵明远代表在本届次会议已有标题相近的建议" in html
    assert "第1号「关于农村道路提档升级的建议」" in html and "领衔" in html and "87.5%" in html
    assert "确属不同的建议，可以继续保存" in html


def test_a_joint_deputy_leading_a_like_title_is_warned_too(client, registered, office, session, deputies):
    client.force_login(office)
    html = hint(client, session, deputies["joint"], "关于农村道路提档升级改造的建议")
    assert "钱晓梅代表在本届次会议已有标题相近的建议" in html and "（联名，" in html


def test_no_warning_for_another_deputy_another_session_or_an_unlike_title(
    client, registered, office, session, deputies
):
    other = CongressSession.objects.create(name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4)
    client.force_login(office)
    assert "相近" not in hint(client, session, deputies["other"], "关于农村道路提档升级的建议")
    assert "相近" not in hint(client, other, deputies["lead"], "关于农村道路提档升级的建议")
    assert "相近" not in hint(client, session, deputies["lead"], "关于城区道路改造的建议")
    assert "相近" not in hint(client, session, deputies["lead"], "")


def test_a_like_title_is_a_warning_not_a_refusal(client, registered, office, session, deputies, categories):
    client.force_login(office)
    data = {
        "session": session.pk, "number": 2, "title": "关于加快农村道路提档升级的建议", "source": "session",
        "lead_deputy": deputies["lead"].pk, "category": categories["城建交通"].pk,
    }  # fmt: skip
    response = client.post(REGISTER, data)
    assert response.status_code == 302
    assert Suggestion.objects.filter(session=session, number=2).exists()


def test_the_hints_are_for_those_who_register(client, registered, clerk, session, deputies):
    client.force_login(clerk)
    assert client.get(NUMBER_HINT, {"session": session.pk}).status_code == 403
    assert client.get(SIMILAR, {"session": session.pk, "lead_deputy": deputies["lead"].pk}).status_code == 403


def test_the_register_form_asks_for_the_hints_while_typing(client, office, session):
    client.force_login(office)
    html = text(client.get(REGISTER))
    number = re.search(r'<input type="number" name="number"[^>]*>', html).group(0)
    title = re.search(r'<input type="text" name="title"[^>]*>', html).group(0)
    assert f'hx-get="{NUMBER_HINT}"' in number and 'hx-target="#hint-number"' in number
    assert (
        f'hx-get="{SIMILAR}"' in title
        and 'hx-include="[name=session], [name=lead_deputy], [name=content]"' in title
    )
    assert 'id="hint-number"' in html and 'id="hint-title"' in html


def test_the_edit_form_asks_for_no_hints(client, registered, office):
    client.force_login(office)
    html = text(client.get(reverse("suggestions:edit", args=[registered.pk])))
    assert "hx-get" not in html.split("<form")[1] and 'id="hint-title"' not in html


# --- how alike: bigrams of the title's own words -----------------------------------------------------------


def test_similarity_leaves_out_the_words_every_title_has():
    assert core("关于加快农村道路提档升级的建议") == "加快农村道路提档升级"
    assert core("关于「城区」停车难问题的意见和建议") == "城区停车难问题"
    assert similarity("关于修路的建议", "关于修桥的建议") == 0.0  # 修路 / 修桥 share no bigram
    assert similarity("关于开展的建议", "关于调研的建议") == 0.0  # 「关于」「的建议」 alone are no likeness


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("关于农村道路提档升级的建议", "关于加快农村道路提档升级的建议", True),
        ("关于农村道路提档升级的建议", "关于农村道路提档升级的建议", True),
        ("关于加强农村学校安全管理的建议", "关于加强城区学校安全管理的建议", True),
        ("关于农村道路提档升级的建议", "关于城区道路改造的建议", False),
        ("关于增设城区公交站点候车亭的建议", "关于农村道路提档升级的建议", False),
    ],
)
def test_titles_are_alike_from_half_their_bigrams_in_common(a, b, alike):
    assert (similarity(a, b) >= THRESHOLD) is alike
