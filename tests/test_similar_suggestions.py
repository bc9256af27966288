"""相似建议: the BM25 search over title and content, its index kept by registration and edit, and its quality
on the labelled set (tests/similar_quality.py)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from suggestions import rules, search, workflow
from suggestions.models import CongressSession, SearchDocument, SearchTerm
from tests.conftest import AT
from tests.view_helpers import text

from . import similar_quality

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(office, session, categories, deputies):
    return similar_quality.register_corpus(
        office=office, session=session, category=categories["社会民生"], deputy=deputies["lead"]
    )


def test_bm25_finds_the_same_matter_on_the_labelled_set(corpus):
    recall, precision = similar_quality.measure(similar_quality.bm25_rank(corpus))
    assert recall >= 0.9
    assert precision >= 0.9


def test_figures_beside_the_bigram_tfidf_baseline(corpus, capsys):
    bm25 = similar_quality.measure(similar_quality.bm25_rank(corpus))
    baseline = similar_quality.measure(similar_quality.bigram_tfidf())
    with capsys.disabled():
        print(f"\nBM25 (jieba): recall@5 {bm25[0]:.3f}, precision@1 {bm25[1]:.3f}")
        print(f"bigram TF-IDF: recall@5 {baseline[0]:.3f}, precision@1 {baseline[1]:.3f}")
    assert bm25[0] >= baseline[0] - 0.02  # the search is no worse than the plain baseline


def test_clusters_on_the_labelled_set_keep_matters_apart(corpus, capsys):
    precision, recall, largest = similar_quality.cluster_pairs(corpus)
    with capsys.disabled():
        print(
            f"\nclusters: pair precision {precision:.3f}, pair recall {recall:.3f}, largest group {largest}"
        )
    # measured 0.757 / 0.366 / 4: the set's other matters of one topic are hard negatives on purpose
    assert precision >= 0.73
    assert recall >= 0.34
    assert largest <= 5  # no chaining of a topic's matters into one group


# --- the index, kept by registration and edit --------------------------------------------------------------------


def later_session():
    return CongressSession.objects.create(name="第八届人民代表大会第六次会议", year=2026, term=8, meeting=6)


def register(office, session, categories, deputies, number, title, content="", deputy="other"):
    return workflow.register(
        user=office, at=AT, session=session, number=number, title=title, content=content,
        lead_deputy=deputies[deputy], category=categories["城建交通"],
    )  # fmt: skip


def test_a_suggestion_registered_is_found_at_once_and_an_edit_moves_it(office, session, categories, deputies):
    s = register(office, session, categories, deputies, 7, "关于整治餐饮油烟扰民的建议", "饭店油烟直排。")
    assert [h.suggestion_id for h in search.search("楼下饭店油烟")] == [s.pk]
    workflow.perform(
        "edit", user=office, suggestion=s, title="关于增设公交候车亭的建议", content="站台没有遮阳。"
    )
    assert search.search("楼下饭店油烟") == []
    assert [h.suggestion_id for h in search.search("公交候车亭")] == [s.pk]


def test_index_suggestions_rebuilds_the_index_of_existing_data(registered):
    SearchTerm.objects.all().delete()
    SearchDocument.objects.all().delete()
    assert search.search("农村道路提档升级") == []
    out = StringIO()
    call_command("index_suggestions", stdout=out)
    assert "已为1件建议建立相似检索索引" in out.getvalue()
    assert [h.suggestion_id for h in search.search("农村道路提档升级")] == [registered.pk]


# --- the command ---------------------------------------------------------------------------------------------


def run(*args):
    out = StringIO()
    call_command("similar_suggestions", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_lists_the_most_similar_first_and_never_the_query_itself(
    registered, office, session, categories, deputies
):
    later = later_session()
    again = register(
        office, later, categories, deputies, 3, "关于农村道路破损提档升级改造的建议", "农村道路破损。"
    )
    register(office, later, categories, deputies, 4, "关于城区停车难的建议", "城区停车位不足。")
    rows = run("--suggestion", str(registered.pk), "--top", "5", "--json")
    assert [r["id"] for r in rows] == [again.pk]
    assert rows[0] | {"score": 0} == {
        "id": again.pk, "session": later.name, "number": 3, "title": again.title, "score": 0,
    }  # fmt: skip
    assert rows[0]["score"] > 0
    by_number = run("--session", later.name, "--number", "3", "--json")
    assert [r["id"] for r in by_number] == [registered.pk]
    by_text = run("--text", "农村道路提档升级", "--top", "1", "--json")
    assert [r["number"] for r in by_text] == [1]  # the shorter one matches more of its words


def test_the_command_refuses_a_suggestion_it_cannot_find(registered):
    with pytest.raises(CommandError, match="没有第9号建议"):
        run("--session", registered.session.name, "--number", "9", "--json")
    with pytest.raises(CommandError, match="没有可检索的词语"):
        run("--text", "关于……的建议", "--json")


# --- the page and registration -------------------------------------------------------------------------------


@pytest.fixture
def rated_earlier(journey):
    journey.assign().reply(rules.codes()[1]).rate(2)
    return journey.s


def test_the_page_names_the_earlier_suggestion_its_unit_class_and_rating(
    client, rated_earlier, office, clerk, outsider_clerk, deputy_user, categories, deputies
):
    s = register(
        office, later_session(), categories, deputies, 2, "关于农村道路提档升级改造的建议", "道路破损。"
    )
    code = rules.codes()[1]
    client.force_login(office)
    assert 'id="similar"' in text(client.get(reverse("suggestions:detail", args=[s.pk])))
    html = text(client.get(reverse("suggestions:similar", args=[s.pk])))
    assert f"与2025年第1号相似（市交通运输局答复{code}类，代表基本满意）" in html
    earlier = text(client.get(reverse("suggestions:similar", args=[rated_earlier.pk])))
    assert "与2026年第2号相似（尚未交办）" in earlier
    # the earlier suggestion's unit: its page finds nothing it may not see (the new one is not its own)
    client.force_login(clerk)
    assert "2026年" not in text(client.get(reverse("suggestions:similar", args=[rated_earlier.pk])))
    assert client.get(reverse("suggestions:similar", args=[s.pk])).status_code == 404
    client.force_login(outsider_clerk)
    assert client.get(reverse("suggestions:similar", args=[rated_earlier.pk])).status_code == 404
    client.force_login(deputy_user)
    assert 'id="similar"' not in text(client.get(reverse("suggestions:detail", args=[rated_earlier.pk])))
    assert client.get(reverse("suggestions:similar", args=[rated_earlier.pk])).status_code == 403


def test_registering_shows_similar_suggestions_of_other_sessions_and_deputies(
    client, rated_earlier, office, deputies
):
    later = later_session()
    client.force_login(office)
    query = {
        "session": later.pk,
        "lead_deputy": deputies["other"].pk,
        "title": "关于农村道路提档升级改造的建议",
    }
    html = text(client.get(reverse("suggestions:similar_titles"), query))
    assert "历次会议中内容相似的建议" in html
    assert "与2025年第1号相似" in html
    unrelated = text(
        client.get(reverse("suggestions:similar_titles"), query | {"title": "关于增设公交候车亭的建议"})
    )
    assert "历次会议中内容相似的建议" not in unrelated
