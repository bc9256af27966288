"""An office's own rules in one TOML file (SUGGESTION_RULES_FILE): read by every part of the app, and a file that
is malformed, or that drops a class still stored, stops ``manage.py check`` with a message naming the problem."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from suggestions import deadlines, rules
from suggestions.models import Reply, Suggestion
from tests.result_class_helpers import FOUR_CLASSES, HUOZHOU, JIA_YI_BING
from tests.view_helpers import REPLY_FORM, messages_shown, post_action, text, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(journey):
    return journey.assign().reply()


@pytest.fixture
def rules_file(tmp_path, settings):
    """Write a rules file and make it the office's; returns the path."""

    def write(content):
        path = tmp_path / "rules.toml"
        path.write_text(content, encoding="utf-8")
        settings.SUGGESTION_RULES_FILE = str(path)
        return path

    return write


def check_messages():
    with pytest.raises(SystemCheckError) as caught:
        call_command("check")
    return str(caught.value)


# --- the shipped files -------------------------------------------------------------------------------------


def test_without_a_file_the_defaults_hold():
    assert rules.codes() == ["A", "B", "C"]
    assert rules.commitment_codes() == ["B"]
    assert rules.get("handling_months") == 3


@pytest.mark.parametrize(
    ("path", "codes", "committing", "place"),
    [
        (HUOZHOU, ["A", "B", "C"], ["B"], "市"),
        (FOUR_CLASSES, ["A", "B", "C", "D"], ["B", "C"], "县"),
        (JIA_YI_BING, ["甲", "乙", "丙"], ["乙"], "区"),
    ],
)
def test_each_worked_file_in_docs_rules_is_read_and_passes_the_check(
    settings, path, codes, committing, place
):
    settings.SUGGESTION_RULES_FILE = str(path)
    assert rules.codes() == codes
    assert rules.commitment_codes() == committing
    assert rules.place() == place
    call_command("check")  # raises SystemCheckError when something is wrong


def test_the_huozhou_file_names_the_city():
    assert rules.merged(rules.current(), rules.read_file(HUOZHOU))["city"] == "霍州"


def test_the_file_s_windows_reach_the_deadlines(jia_yi_bing):
    assert deadlines.rule("reassignment_working_days") == 7
    assert deadlines.rule("unsatisfied_rehandling") == "office_confirms"
    assert deadlines.rule("opinion_months") == 1  # not in the file: the default


def test_a_table_merges_into_the_default_key_by_key(settings, rules_file):
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "weights": {"on_time": 20, "rated": 30}}
    rules_file("[weights]\non_time = 25\n")
    assert rules.get("weights") == {"on_time": 25, "rated": 30}


# --- files that cannot be used ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("handling_months = \n", "格式有误"),
        ("handling_month = 3\n", "「handling_month」不是可以设置的规则"),
        (
            "reassignment_working_days = 12\n",
            "「reassignment_working_days」（申请调整期限（工作日））应在3到10之间，不能是12",
        ),
        ('handling_months = "三"\n', "应为整数"),
        ("handling_months = 7\n", "最长办理期限（6个月）不能短于办理期限（7个月）"),
        ('unsatisfied_rehandling = "later"\n', "只能是immediate、office_confirms之一"),
        ("result_classes = []\n", "「result_classes」（答复类别）应为至少一项的列表"),
        ('result_classes = [{ code = "A" }]\n', "「A」类缺少说明（label）"),
        (
            'result_classes = [{ code = "A", label = "甲" }, { code = "A", label = "乙" }]\n',
            "代码「A」重复",
        ),
        ('result_classes = [{ code = "A", label = "已解决", promise = true }]\n', "未知的键「promise」"),
    ],
)
def test_a_file_that_cannot_be_used_stops_the_check_naming_the_problem(rules_file, content, message):
    rules_file(content)
    shown = check_messages()
    assert "suggestions.E001" in shown
    assert message in shown
    assert "rules.toml" in shown  # the file it is about


def test_a_missing_file_is_named(settings, tmp_path):
    settings.SUGGESTION_RULES_FILE = str(tmp_path / "nowhere.toml")
    assert "找不到规则文件" in check_messages()


def test_a_file_not_in_utf8_is_refused(settings, tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes('city = "霍州"\n'.encode("gbk"))
    settings.SUGGESTION_RULES_FILE = str(path)
    assert "不是 UTF-8 编码的文本" in check_messages()


def test_a_scheme_that_drops_a_class_still_stored_stops_the_check(replied, rules_file):
    assert Reply.objects.filter(result_class="A").exists()
    rules_file('result_classes = [{ code = "B", label = "正在解决", commitment = true }]\n')
    shown = check_messages()
    assert "suggestions.E002" in shown
    assert "答复类别方案缺少已有答复使用的代码：A" in shown


def test_a_scheme_may_rename_a_class_still_stored(replied, rules_file):
    rules_file(
        'result_classes = [{ code = "A", label = "所提问题已经解决" }, { code = "B", label = "正在解决" }]\n'
    )
    call_command("check")
    assert rules.result_class_label("A") == "A 所提问题已经解决"


# --- the scheme wherever a class is shown or checked --------------------------------------------------------


def test_the_reply_form_offers_the_scheme_s_classes(client, jia_yi_bing, journey):
    journey.assign().sign()
    client.force_login(journey.clerk)
    page = text(client.get(reverse("suggestions:reply_form", args=[journey.s.pk, journey.lead.pk])))
    for label in ("甲 所提问题已经解决或基本解决", "乙 所提问题正在解决或列入计划逐步解决", "丙 因条件限制"):
        assert label in page
    assert "A 已解决或采纳" not in page


def test_a_reply_in_the_scheme_s_class_goes_through_the_browser(client, jia_yi_bing, journey):
    journey.assign().sign()
    client.force_login(journey.clerk)
    response = post_action(
        client, journey.s, "draft_reply", {**REPLY_FORM, "result_class": "丙"}, journey.lead
    )
    assert messages_shown(response) == ["拟写答复：已完成。"]
    assert Reply.objects.get().result_class == "丙"


def test_a_commitment_class_of_the_scheme_asks_for_the_commitment(client, jia_yi_bing, journey):
    journey.assign().sign()
    client.force_login(journey.clerk)
    post_action(client, journey.s, "draft_reply", {**REPLY_FORM, "result_class": "乙"}, journey.lead)
    assert not Reply.objects.exists()
    due = (today() + datetime.timedelta(days=200)).isoformat()
    data = {**REPLY_FORM, "result_class": "乙", "commitment": "明年完成改造", "commitment_due": due}
    post_action(client, journey.s, "draft_reply", data, journey.lead)
    assert Reply.objects.get().commitment_open


def test_the_list_filters_by_the_scheme_s_class(client, office, replied, jia_yi_bing):
    Suggestion.objects.filter(pk=replied.s.pk).update(result_class="乙")
    client.force_login(office)
    page = text(
        client.get(reverse("suggestions:list"), {"result_class": "乙", "session": replied.s.session_id})
    )
    assert replied.s.title in page
    refused = client.get(reverse("suggestions:list"), {"result_class": "A", "session": replied.s.session_id})
    assert replied.s.title not in text(refused)


def test_the_admin_filters_and_names_the_scheme_s_classes(admin_client, replied, jia_yi_bing):
    Reply.objects.update(result_class="甲")
    page = text(admin_client.get(reverse("admin:suggestions_reply_changelist")))
    assert "甲 所提问题已经解决或基本解决" in page
