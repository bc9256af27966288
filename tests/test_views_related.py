"""The page of similar suggestions (相关建议): groups across sessions, 标记相关 and 并案 from it, and what each
suggestion's page then shows."""

import pytest
from django.urls import reverse

from suggestions import search, workflow
from suggestions.models import CongressSession, Suggestion
from tests.conftest import AT
from tests.view_helpers import detail_url, messages_shown, post_action, section, text, today

pytestmark = pytest.mark.django_db
PAGE = reverse("suggestions:similar_clusters")


def register(office, session, categories, deputy, number, title, content="……"):
    return workflow.register(
        user=office, at=AT, session=session, number=number, title=title, content=content,
        lead_deputy=deputy, category=categories["城建交通"],
    )  # fmt: skip


@pytest.fixture
def matter(registered, office, session, categories, deputies):
    """Three deputies on one road in two sessions, and one suggestion about something else."""
    session.is_current = True
    session.save()
    past = CongressSession.objects.create(name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4)
    old = register(office, past, categories, deputies["joint"], 9, "关于农村道路提档升级改造的建议")
    second = register(office, session, categories, deputies["other"], 2, "关于加快农村道路提档升级的建议")
    register(office, session, categories, deputies["other"], 3, "关于增设城区公共厕所的建议")
    return registered, second, old


def test_clusters_group_alike_titles_and_leave_the_rest_out(matter):
    first, second, old = matter
    current = Suggestion.objects.filter(session=first.session)
    groups = search.clusters(current, Suggestion.objects.all())
    assert groups == [sorted([first.pk, second.pk, old.pk])]


@pytest.fixture
def same_matter_other_titles(office, session, categories, deputies):
    """Two deputies, two sessions, one bridge: the titles share no words, the contents do; beside them two
    suggestions about other matters with titles like theirs."""
    session.is_current = True
    session.save()
    past = CongressSession.objects.create(name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4)
    old = register(
        office, past, categories, deputies["joint"], 4, "关于保障群众出行安全的建议",
        "东岭村青龙河上的漫水桥年久失修，桥面开裂，汛期河水漫过桥面，村民和学生过河十分危险，建议改建青龙河漫水桥。",
    )  # fmt: skip
    new = register(
        office, session, categories, deputies["other"], 5, "关于尽快改建危桥的建议",
        "青龙河东岭村段漫水桥桥面开裂，每逢汛期河水漫桥，学生上学绕行，建议将漫水桥改建为高架桥。",
    )  # fmt: skip
    register(
        office, session, categories, deputies["lead"], 6, "关于保障群众出行安全的建议",
        "城区人民路与建设路交叉口没有红绿灯，早晚高峰车辆抢行，建议增设信号灯和斑马线。",
    )  # fmt: skip
    register(
        office, past, categories, deputies["lead"], 7, "关于尽快改建老旧小区供热管网的建议",
        "北苑小区供热管网老化，冬季跑冒滴漏，室温不达标，建议更换管网。",
    )  # fmt: skip
    return new, old


def test_clusters_find_one_matter_by_its_content_under_different_titles(same_matter_other_titles):
    new, old = same_matter_other_titles
    groups = search.clusters(Suggestion.objects.filter(session=new.session), Suggestion.objects.all())
    assert groups == [sorted([new.pk, old.pk])]


def test_the_page_shows_the_matter_found_by_content(client, office, same_matter_other_titles):
    client.force_login(office)
    html = text(client.get(PAGE))
    assert "2位代表在2次会议上提出" in html
    assert "关于尽快改建危桥的建议" in html and "关于保障群众出行安全的建议" in html
    assert "人民路" not in html and "供热管网" not in html  # alike titles, other matters


def test_the_page_lists_only_what_the_reader_may_see(client, office, same_matter_other_titles):
    new, old = same_matter_other_titles
    workflow.perform("withdraw", user=office, suggestion=old, at=AT, reason="代表撤回")
    client.force_login(office)
    assert "位代表在" not in text(client.get(PAGE))


def test_the_office_sees_who_raised_it_in_how_many_sessions(client, office, matter):
    client.force_login(office)
    html = text(client.get(PAGE))
    assert "3位代表在2次会议上提出" in html
    assert "增设城区公共厕所" not in html
    assert "以第1号为主建议" in html  # the two of this session may be merged; the past one may not


def test_a_unit_may_not_open_the_page(client, clerk, matter):
    client.force_login(clerk)
    assert client.get(PAGE).status_code == 403


def test_marking_related_shows_on_both_pages_and_can_be_removed(client, office, matter):
    first, second, old = matter
    client.force_login(office)
    response = client.post(
        reverse("suggestions:act", args=[second.pk, "relate"]), {"other": old.pk, "next": PAGE}, follow=True
    )
    assert response.redirect_chain == [(PAGE, 302)]
    assert messages_shown(response) == ["标记相关建议：已完成。"]
    assert "已标记相关" in text(response)
    assert "关于农村道路提档升级改造的建议" in section(client.get(detail_url(second)), "related")
    assert "关于加快农村道路提档升级的建议" in section(client.get(detail_url(old)), "related")
    response = post_action(client, old, "unrelate", {"other": second.pk})
    assert messages_shown(response) == ["取消相关标记：已完成。"]
    assert 'id="related"' not in text(response)


def test_merging_from_the_page_then_assigning_the_main_one(client, office, matter, units):
    first, second, _ = matter
    client.force_login(office)
    url = reverse("suggestions:act", args=[first.pk, "merge"])
    response = client.post(url, {"members": [second.pk], "reason": "", "next": PAGE}, follow=True)
    assert messages_shown(response) == ["请写明并案的理由。"]
    assert Suggestion.objects.get(pk=second.pk).merged_into is None
    response = client.post(url, {"members": [second.pk], "reason": "同一条道路", "next": PAGE}, follow=True)
    assert messages_shown(response) == ["并案：已完成。"]
    assert "已并案" in text(response)
    page = client.get(detail_url(second))
    assert "本建议已并入" in section(page, "merge")
    assert 'data-action="assign"' not in text(page)  # assigned with its main one
    response = post_action(
        client,
        first,
        "assign",
        {
            "mode": "lead",
            "lead_unit": units["transport"].pk,
            "months": "3",
            "assigned_on": today().isoformat(),
        },
    )
    assert messages_shown(response) == ["交办：已完成。"]
    assert Suggestion.objects.get(pk=second.pk).state == Suggestion.State.ASSIGNED
    assert "并入第1号" in section(client.get(detail_url(second)), "timeline")
    # 拆分 from the main one's page
    response = post_action(client, first, "split", {"reason": "不是同一路段"})
    assert messages_shown(response) == ["拆分并案：已完成。"]
    assert Suggestion.objects.get(pk=second.pk).merged_into is None


def test_a_deputy_sees_no_related_suggestion_of_another_deputy(client, office, deputy_user, matter):
    first, second, _ = matter
    workflow.perform("relate", user=office, suggestion=first, other=second, at=AT)
    client.force_login(deputy_user)
    assert 'id="related"' not in text(client.get(detail_url(first)))
