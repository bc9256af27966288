"""公开: the public portal at /public/, open without login: published replies only, masked, cached."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from suggestions import deadlines, publication, workflow
from suggestions.models import Reply
from suggestions.views import public

from .conftest import AT, Journey

pytestmark = pytest.mark.django_db

DEPUTY_PHONE = "13900001111"
CONTACT_PHONE = "0357-5620000"
SECRET_DIGITS = ("13812345678", "5620000", "110101199003071234", "13900001111", "1390000")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make(office, clerk, head, units, session, categories, deputies, deputy_user):
    """make(number, upto=...) registers suggestion ``number`` and takes it as far as ``upto``: "accepted" (its
    reply accepted: replied), "draft", "returned", "withheld" or "closed"."""
    deputies["lead"].phone = DEPUTY_PHONE
    deputies["lead"].save()

    def build(number, upto="accepted", category="城建交通", text=None, title=None):
        s = workflow.register(
            user=office,
            at=AT,
            session=session,
            number=number,
            title=title or f"关于农村道路提档升级的建议（{number}）",
            content="路面破损，群众反映强烈，联系人手机13812345678，身份证110101199003071234。",
            lead_deputy=deputies["lead"],
            joint_deputies=[deputies["joint"]],
            category=categories[category],
        )
        j = Journey(s, office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user)
        j.assign(co=False).sign()
        words = text or f"第{number}号答复：已列入计划，详询{CONTACT_PHONE}或代表本人139 0000 1111。"
        j.draft("A", text=words, contact_phone=CONTACT_PHONE)
        if upto == "draft":
            return j
        j.sign_off().submit()
        if upto == "returned":
            workflow.perform(
                "review_reply",
                user=office,
                suggestion=s,
                assignment=j.lead,
                at=j.step(),
                reason="未逐条答复",
            )
            return j
        j.accept()
        if upto == "withheld":
            workflow.perform(
                "publish", user=office, suggestion=s, at=j.step(), publish=False, reason="涉及个人隐私"
            )
        if upto == "closed":
            j.rate(3)
            workflow.perform("close", user=office, suggestion=s, at=j.step())
        return j

    return build


def page_text(response):
    return response.content.decode()


def test_anyone_reads_a_published_reply_without_logging_in_masked(client, make):
    make(1)
    response = client.get(reverse("suggestions:public"))
    assert response.status_code == 200
    text = page_text(response)
    assert "关于农村道路提档升级的建议（1）" in text and "市交通运输局" in text
    assert "A 已解决或采纳" in text and "赵明远等2位代表" in text
    assert 'name="viewport" content="width=device-width' in text  # readable on a phone
    reply = Reply.objects.get()
    detail = page_text(client.get(reverse("suggestions:public_reply", args=[reply.pk])))
    assert "第1号答复：已列入计划，详询［电话已隐去］或代表本人［电话已隐去］。" in detail
    assert "联系人手机［电话已隐去］，身份证［身份证号已隐去］。" in detail
    assert not any(digits in detail for digits in SECRET_DIGITS)


def test_withheld_drafted_and_returned_replies_never_appear(client, make):
    withheld = make(1, upto="withheld")
    make(2, upto="draft", text="草稿答复的文字")
    returned = make(3, upto="returned", text="被退回答复的文字")
    text = page_text(client.get(reverse("suggestions:public")))
    assert "共0件已公开的答复" in text and "草稿答复" not in text and "被退回答复" not in text
    for j in (withheld, returned):
        reply = Reply.objects.get(assignment__suggestion=j.s)
        assert client.get(reverse("suggestions:public_reply", args=[reply.pk])).status_code == 404


def test_a_reply_is_published_on_the_rules_schedule_or_when_the_office_publishes_it(make, office, settings):
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "publish_working_days": 20}
    j = make(1)
    accepted_on = timezone.localdate(Reply.objects.get().reviewed_at)
    due = deadlines.working_days_after(accepted_on, 20).date
    assert not publication.published_replies(today=due - datetime.timedelta(days=1)).exists()
    assert publication.published_replies(today=due).exists()
    workflow.perform("publish", user=office, suggestion=j.s, at=j.step())  # the office publishes it at once
    assert publication.published_replies(today=timezone.localdate(j.at)).exists()
    shown = publication.public_view(publication.published_replies().get())
    assert shown["published_on"] == timezone.localdate(j.at)


def test_a_shorter_schedule_publishes_sooner(make, settings):
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "publish_working_days": 1}
    make(1)
    # accepted on a Saturday: the next working day is Monday
    accepted_on = timezone.localdate(Reply.objects.get().reviewed_at)
    assert accepted_on.weekday() == 5
    assert not publication.published_replies(today=accepted_on + datetime.timedelta(days=1)).exists()
    assert publication.published_replies(today=accepted_on + datetime.timedelta(days=2)).exists()


def test_a_closed_suggestions_reply_stays_published_and_a_re_handled_one_is_hidden(client, make):
    make(1, upto="closed")
    j = make(2)
    j.rate(1)  # unsatisfied: back to the unit for re-handling
    text = page_text(client.get(reverse("suggestions:public")))
    assert "建议（1）" in text and "建议（2）" not in text


def test_the_portal_searches_by_session_category_unit_and_words(client, make, session, categories, units):
    make(1, title="关于修缮乡村小学校舍的建议", category="教科文卫")
    make(2, title="关于农村道路提档升级的建议", category="城建交通")
    url = reverse("suggestions:public")

    def titles(**query):
        return re.findall(r"关于[^<（]+的建议", page_text(client.get(url, query)))

    assert titles(q="校舍") == ["关于修缮乡村小学校舍的建议"]
    assert titles(q="农村 道路") == ["关于农村道路提档升级的建议"]
    assert titles(category=categories["教科文卫"].pk) == ["关于修缮乡村小学校舍的建议"]
    assert len(titles(session=session.pk, unit=units["transport"].pk)) == 2
    assert titles(unit=units["health"].pk) == []


def test_bad_search_input_is_ignored_with_a_message(client, make):
    make(1)
    response = client.get(reverse("suggestions:public"), {"session": "x", "q": "13812345678"})
    text = page_text(response)
    assert response.status_code == 200 and "所选条件无效，已忽略。" in text
    assert "检索词中的长串数字（如电话号码）不作检索，已忽略。" in text and "共1件" in text
    assert "13812345678" not in text  # the number typed is not echoed back


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value is not None:
                self.found.append(value)


def test_a_crawl_of_the_portal_finds_nothing_internal(client, make, monkeypatch):
    monkeypatch.setattr(public, "PAGE_SIZE", 2)
    for number in (1, 2, 3):
        make(number)
    make(4, upto="withheld", text="不公开答复的文字")
    make(5, upto="draft", text="草稿答复的文字")
    make(6, upto="returned", text="被退回答复的文字")
    start = reverse("suggestions:public")
    seen, queue, pages = set(), [start], []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        text = page_text(response)
        pages.append(text)
        parser = Links()
        parser.feed(text)
        for link in parser.found:
            assert link == "" or link.startswith(("/public/", "/static/", "?")), (url, link)
            if link.startswith("?"):
                queue.append(start + link.replace("&amp;", "&"))
            elif link.startswith("/public/"):
                queue.append(link)
    details = [u for u in seen if "/public/replies/" in u]
    published = set(publication.published_replies().values_list("pk", flat=True))
    assert {int(u.split("/")[-2]) for u in details} == published and len(published) == 3
    assert any("page=2" in u for u in seen)  # the pagination was followed
    everything = "".join(pages).replace('<button class="btn btn-primary" type="submit">检索', "")
    internal = ("/suggestions/", "/admin/", "/accounts/", "<button", "csrfmiddlewaretoken", "退出")
    for forbidden in (*SECRET_DIGITS, "不公开答复", "草稿答复", "被退回答复", *internal):
        assert forbidden not in everything, forbidden


def test_each_page_asks_the_database_the_same_number_of_times_whatever_it_shows(client, make):
    make(1)
    url = reverse("suggestions:public")
    reply = Reply.objects.get()

    def queries(path):
        cache.clear()
        with CaptureQueriesContext(connection) as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    one, one_detail = queries(url), queries(reverse("suggestions:public_reply", args=[reply.pk]))
    for number in (2, 3, 4):
        make(number)
    assert queries(url) == one == 5  # the count, the page, the sessions, categories and units offered
    assert one_detail == 1


def test_pages_are_cached_briefly_and_say_so(client, make):
    make(1)
    url = reverse("suggestions:public")
    first = client.get(url)
    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as seen:
        again = client.get(url)
    assert len(seen) == 0 and again.content == first.content
    assert "public" in again["Cache-Control"]


def test_the_portal_only_answers_reading(client):
    assert client.post(reverse("suggestions:public")).status_code == 405
