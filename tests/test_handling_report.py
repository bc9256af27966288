"""The yearly handling report (办理工作情况报告): its text from the data, the Word draft, the command and the
download, on a small session whose figures can be counted by eye, built once for the module. The sentences that
adapt to any figures are test_report_sentences'; the report of the seeded demo is in test_seed_demo."""

import datetime
import io
import urllib.parse

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from suggestions import report, report_docx, statistics, workflow
from suggestions.models import (
    Assignment,
    Category,
    CongressSession,
    ContactRecord,
    Reminder,
    Suggestion,
    SupervisionNote,
)
from suggestions.workflow.handlers import mark_contacted
from tests.conftest import AT, Journey, World, create_registered, module_world

TODAY = datetime.date(2025, 7, 1)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KEY_REPLY = "我们实施了16个“四好农村路”项目，年内全部完工。"

# Each test in a savepoint inside the module's world: what it changes is undone before the next.
pytestmark = pytest.mark.django_db


def small_session(
    registered, office, clerk, head, co_clerk, units, leaders, categories, deputies, deputy_user, session, **_
):
    """Four suggestions of the 2025 session (八届人大五次会议), all led by deputy 赵明远:

    no  category  lead unit    portfolio  state           class  rating    other
    1   城建交通    交通运输局     王建国       closed          A      满意       key (王建国); co 财政局 sent its opinion
    2   城建交通    交通运输局     王建国       closed          B      基本满意    commitment open
    3   教科文卫    卫生健康和体育局 李秀英       assigned                           overdue on 2025-07-01
    4   社会民生    -            -          not_government                     handed to 市中级人民法院
    """

    def register(number, title, category):
        return workflow.register(
            user=office,
            at=AT,
            session=session,
            number=number,
            title=title,
            lead_deputy=deputies["lead"],
            category=categories[category],
        )

    def journey(s):
        return Journey(s, office=office, clerk=clerk, head=head, units=units, deputy_user=deputy_user)

    key = registered
    workflow.perform(
        "edit", user=office, suggestion=key, at=AT, is_key=True, supervising_leader=leaders["traffic"]
    )
    road = journey(key).assign()
    co = key.assignments.get(role=Assignment.Role.CO)
    workflow.perform("sign_for", user=co_clerk, suggestion=key, assignment=co, at=road.step())
    workflow.perform(
        "send_opinion", user=co_clerk, suggestion=key, assignment=co, at=road.step(), text="同意"
    )
    road.sign().draft("A", text=KEY_REPLY).sign_off().submit().accept().rate(3)
    workflow.perform("close", user=office, suggestion=key, at=road.step())

    bus = journey(register(2, "关于增设公交站点的建议", "城建交通")).assign(co=False)
    bus.reply("B").rate(2)
    workflow.perform("close", user=office, suggestion=bus.s, at=bus.step())

    school = register(3, "关于新建城区小学的建议", "教科文卫")
    workflow.perform("assign", user=office, suggestion=school, at=AT, lead_unit=units["health"])

    court = register(4, "关于加强执行工作的建议", "社会民生")
    workflow.perform("hand_over", user=office, suggestion=court, at=AT, other_organ="市中级人民法院")
    return Suggestion.objects.filter(session=session)


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    """conftest's reference data and accounts with the small session, built once for the module: its tests
    only read them (what one changes, ``edit`` or a setting, is rolled back with it)."""

    def build():
        people = World.build()
        small_session(create_registered(**vars(people)), **vars(people))
        return people

    with module_world(django_db_blocker, build) as people:
        yield people


def fresh(row):
    return type(row)._default_manager.get(pk=row.pk)


@pytest.fixture
def world(people, db):
    return Suggestion.objects.filter(session=people.session)


# The fixtures these tests take from conftest, served from the module's world, fresh from the database.


@pytest.fixture
def session(people, db):
    return fresh(people.session)


@pytest.fixture
def leaders(people, db):
    return {key: fresh(leader) for key, leader in people.leaders.items()}


@pytest.fixture
def office(people, db):
    return fresh(people.office)


@pytest.fixture
def congress(people, db):
    return fresh(people.congress)


@pytest.fixture
def leader_user(people, db):
    return fresh(people.leader_user)


@pytest.fixture
def clerk(people, db):
    return fresh(people.clerk)


@pytest.fixture
def deputy_user(people, db):
    return fresh(people.deputy_user)


@pytest.fixture
def draft(world, session):
    return report.compose(world, session=session, today=TODAY)


def text_of(draft):
    return draft.text()


# --- the text ----------------------------------------------------------------------------------------------------


def test_title_names_the_year_and_the_session_and_says_draft(draft):
    assert draft.title == "关于2025年八届人大五次会议代表建议办理工作情况的报告（草稿）"


def test_first_paragraph_counts_suggestions_government_handled_and_categories_leaving_out_empty_ones(draft):
    first = draft.paragraphs()[0]
    assert first.startswith("2025年八届人大五次会议期间，我市人大代表认真履行代表职责，")
    assert "共提出建议、批评和意见4件，其中，政府承办3件，分别涉及城建交通方面2件，教科文卫方面1件。" in first
    assert "社会民生" not in first and "农林水利" not in first
    assert "对于这些意见、建议，市政府高度重视" in first


def test_first_paragraph_gives_both_rates_when_not_all_are_closed(draft):
    first = draft.paragraphs()[0]
    assert first.endswith("截至目前，已办结2件，办结率66.7%，满意率100%（其中满意1件、基本满意1件）。")


def test_key_suggestions_paragraph_and_the_key_suggestions_reply(draft):
    text = draft.text()
    assert (
        "在3件代表建议、批评和意见中，共确定了1项具有代表性的重点建议，对此，市政府高度重视，"
        "将1项重点建议的办理纳入政府重点工作，并召开专题会议研究落实。分管副市长亲自督办，" in text
    )
    assert "目前，1项重点建议已办结，代表均给予满意评价。具体情况如下：" in text
    assert f"①关于“农村道路提档升级的建议”办理情况\n{KEY_REPLY}\n" in text


def test_sections_come_in_order(draft):
    text = draft.text()
    positions = [
        text.index(h)
        for h in (
            "一、办理工作落实情况",
            "二、办理工作的主要做法",
            "三、办理工作的努力方向",
            "附件：办理情况统计表",
        )
    ]
    assert positions == sorted(positions)


def test_tables_hold_the_statistics_figures(world, draft):
    tables = dict(
        zip(["overview", "category", "unit", "class", "portfolio", "rating"], draft.tables(), strict=True)
    )
    assert tables["category"].rows == [
        ["城建交通", "2", "66.7%"],
        ["农林水利", "0", "0%"],
        ["教科文卫", "1", "33.3%"],
        ["社会民生", "0", "0%"],
        ["经济环保", "0", "0%"],
        ["合计", "3", "100%"],
    ]
    units = {row[0]: row[1:] for row in tables["unit"].rows}
    assert units["市交通运输局"] == ["2", "0", "0", "2", "0"]
    assert units["市财政局"] == ["0", "1", "0", "1", "0"]
    assert units["市卫生健康和体育局"] == ["1", "0", "0", "0", "1"]
    assert units["合计"] == ["3", "1", "0", "3", "1"]
    assert tables["class"].rows[1] == ["B 正在解决或列入计划解决", "1", "50%", "0", "1"]
    assert tables["portfolio"].rows == [
        ["副市长王建国", "2", "1", "2", "100%"],
        ["副市长李秀英", "1", "0", "0", "0%"],
        ["合计", "3", "1", "2", "66.7%"],
    ]
    assert tables["rating"].rows == [
        ["已评价（最终评价）", "2", ""],
        ["满意（最终评价）", "1", "50%"],
        ["基本满意（最终评价）", "1", "50%"],
        ["不满意（最终评价）", "0", "0%"],
        ["满意率（最终评价）", "2", "100%"],
        ["已评价（初次办理）", "2", ""],
        ["不满意（初次办理）", "0", "0%"],
        ["初次办理满意率", "2", "100%"],
        ["曾评价不满意", "0", ""],
        ["正在重新办理", "0", ""],
        ["已答复尚未评价", "0", ""],
    ]
    overview = {row[0]: row[1:] for row in tables["overview"].rows}
    assert overview["已办结（办结率）"] == ["2", "66.7%"]
    assert overview["超期未办结"] == ["1", ""]
    # the same figures as the dashboard's
    figures = statistics.summary(world, TODAY)
    assert overview["已答复（办复率）"] == [str(figures["replied"]), report.percent(figures["reply_rate"])]


@pytest.mark.usefixtures("four_result_classes")
def test_class_table_lists_a_county_s_four_result_classes(world, session):
    Suggestion.objects.filter(session=session, result_class="A").update(result_class="D")
    draft = report.compose(world, session=session, today=TODAY)
    classes = draft.tables()[3]  # overview, category, unit, class, portfolio, rating
    assert [row[:3] for row in classes.rows] == [
        ["A 所提问题已经解决或基本解决", "0", "0%"],
        ["B 所提问题正在解决", "1", "50%"],
        ["C 所提问题已列入规划逐步解决", "0", "0%"],
        ["D 因条件限制留作参考", "1", "50%"],
        ["合计", "2", "100%"],
    ]


def section(draft, heading):
    """The text under a 一、 heading, up to the next one."""
    text = draft.text()
    start = text.index(heading)
    rest = text[start + len(heading) :]
    ends = [rest.index(h) for h in ("\n二、", "\n三、", "\n附件：") if h in rest]
    return rest[: min(ends)] if ends else rest


def test_result_classes_are_stated_with_count_and_share_in_the_scheme_s_words(draft):
    assert (
        "从答复类别看，已答复的2件建议中，A类（已解决或采纳）1件，占50.0%；B类（正在解决或列入计划解决）1件，"
        "占50.0%；C类（因条件限制暂时无法解决）0件，占0.0%。" in draft.paragraphs()[1]
    )


@pytest.mark.usefixtures("four_result_classes")
def test_a_county_s_four_classes_are_stated_and_its_reference_class_named_a_problem(world, session):
    Suggestion.objects.filter(session=session, result_class="A").update(result_class="D")
    draft = report.compose(world, session=session, today=TODAY)
    assert (
        "A类（所提问题已经解决或基本解决）0件，占0.0%；B类（所提问题正在解决）1件，占50.0%；"
        "C类（所提问题已列入规划逐步解决）0件，占0.0%；D类（因条件限制留作参考）1件，占50.0%。"
        in draft.paragraphs()[1]
    )
    problems = section(draft, "三、办理工作的努力方向")
    assert "D类答复（因条件限制留作参考）1件" in problems
    assert "B、C类答复承诺事项尚未落实1项" in problems


@pytest.mark.usefixtures("jia_yi_bing")
def test_jia_yi_bing_classes_are_stated_in_their_own_words(world, session):
    Suggestion.objects.filter(session=session, result_class="A").update(result_class="甲")
    Suggestion.objects.filter(session=session, result_class="B").update(result_class="乙")
    draft = report.compose(world, session=session, today=TODAY)
    assert (
        "甲类（所提问题已经解决或基本解决）1件，占50.0%；乙类（所提问题正在解决或列入计划逐步解决）1件，占50.0%；"
        "丙类（因条件限制或其他原因暂时不能解决，作出解释说明）0件，占0.0%。" in draft.paragraphs()[1]
    )
    assert "A类" not in draft.text().split("附件：")[0]


def test_categories_are_counted_in_the_session_s_own_names(world, session):
    Category.objects.filter(name="城建交通").update(name="城乡建设类")
    first = report.compose(world, session=session, today=TODAY).paragraphs()[0]
    assert "分别涉及城乡建设类方面2件，教科文卫方面1件。" in first


def test_section_two_is_written_from_the_records(draft):
    practice = section(draft, "二、办理工作的主要做法")
    assert "（一）高度重视，不断加大办理工作力度" in practice
    assert (
        "对代表提出的3项建议，按副市长分管领域进行了梳理归类、登记造册、预先分办，"
        "交由3个承办单位办理（其中主办或分办单位2个）。按期答复2件，按期答复率100%。" in practice
    )
    assert "特别是对1项重点建议" in practice
    assert "批示" not in practice  # no leader commented on any suggestion of this session


def test_section_two_counts_supervision_comments_contacts_and_requests(world, session, office, leader_user):
    key = world.get(number=1)
    workflow.perform(
        "supervise",
        user=office,
        suggestion=world.get(number=3),
        kind="supervise",
        method="site",
        text="实地督查",
    )
    # a comment of an earlier day: the suggestion is closed now, when no one may comment any more
    SupervisionNote.objects.create(
        suggestion=key, kind=SupervisionNote.Kind.COMMENT, text="请抓紧办理", author=leader_user
    )
    lead = key.assignments.get(role=Assignment.Role.LEAD)
    ContactRecord.objects.create(
        assignment=lead, method="visit", contacted_on=TODAY, participants="周敏", summary="登门走访"
    )
    mark_contacted(key, ["visit"])  # as ``log_contact`` does
    school = world.get(number=3).assignments.get(role=Assignment.Role.LEAD)
    Reminder.objects.create(assignment=school, stage=Reminder.Stage.OVERDUE, deadline=school.deadline)
    practice = section(report.compose(world, session=session, today=TODAY), "二、办理工作的主要做法")
    assert "系统自动发送超期催办1次，" in practice
    assert "市政府领导对1件建议作出批示1次。" in practice
    assert "市政府办督查室通过实地调研1次等方式督办建议1件" in practice
    assert "各承办单位答复前与代表沟通的建议1件，沟通率33.3%，其中登门走访1件" in practice
    assert "见面沟通1件，见面率33.3%。" in practice


def test_section_three_states_the_problems_the_records_show(draft):
    problems = section(draft, "三、办理工作的努力方向")
    assert problems.startswith("\n市八届人大五次会议代表建议办理工作，")
    assert (
        "从办理数据看，截至2025年7月1日，超期未办结1件（超期未完成的承办任务1项）；B类答复承诺事项尚未落实1项。"
        "工作中还存在诸如主动性不够，重答复、轻落实等不足。" in problems
    )
    assert "（二）突出重点难点，力求办理工作实效。" in problems


def test_the_seed_s_unproved_wording_is_marked_for_the_office_to_check(draft):
    intro = next(p for p in draft.blocks if isinstance(p, report.Paragraph) and "得到代表们的肯定" in p.text)
    assert "开展顺利，扎实有效，得到代表们的肯定" in intro.check[0]
    first = draft.blocks[1]
    assert any("市政府高度重视" in phrase for phrase in first.check)
    assert not any(b.placeholder for b in draft.blocks if isinstance(b, report.Paragraph))


def test_the_place_word_is_a_setting(world, session, settings):
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "place": "县", "city": "洪洞"}
    text = report.compose(world, session=session, today=TODAY).text()
    assert "我县人大代表认真履行代表职责，立足于洪洞发展实际，" in text
    assert "县政府高度重视" in text and "分管副县长亲自督办" in text
    assert "洪洞县人民政府\n2025年7月1日\n" in text


def test_a_key_suggestion_not_yet_replied_says_where_it_stands(world, session, office, leaders):
    school = world.get(number=3)
    workflow.perform(
        "edit", user=office, suggestion=school, is_key=True, supervising_leader=leaders["health"]
    )
    text = report.compose(world, session=session, today=TODAY).text()
    assert "目前，2项重点建议中已办结1项，其余1项正在办理，代表评价满意1项，其余1项尚未评价。" in text
    assert "②关于“新建城区小学的建议”办理情况\n该建议已交市卫生健康和体育局办理，尚待签收，办理期限" in text
    assert "，已超期。" in text


# --- the Word draft ------------------------------------------------------------------------------------------


def test_docx_holds_the_title_the_first_paragraph_and_the_tables(draft):
    doc = docx.Document(io.BytesIO(report_docx.render(draft)))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == draft.title
    assert paragraphs[1].startswith("说明：本稿由系统根据办理数据生成")
    assert draft.paragraphs()[0] in paragraphs
    assert "①关于“农村道路提档升级的建议”办理情况" in paragraphs
    assert len(doc.tables) == 6
    category = doc.tables[1]
    assert [c.text for c in category.rows[0].cells] == ["类别", "件数", "占比"]
    assert [c.text for c in category.rows[1].cells] == ["城建交通", "2", "66.7%"]
    assert [c.text for c in category.rows[-1].cells] == ["合计", "3", "100%"]
    rating = doc.tables[5]
    assert [c.text for c in rating.rows[5].cells] == ["满意率（最终评价）", "2", "100%"]


def test_docx_is_a4_with_chinese_fonts_and_styled_headings(draft):
    doc = docx.Document(io.BytesIO(report_docx.render(draft)))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    styles = {p.text: p.style.name for p in doc.paragraphs}
    assert styles["一、办理工作落实情况"] == "Heading 1"
    assert styles["（二）按类别统计"] == "Heading 2"
    east_asia = doc.styles["Heading 1"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asia == "黑体"
    body = doc.styles["Body Text"].element.rPr.rFonts
    assert body.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋"
    assert doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0].bold
    first = next(p for p in doc.paragraphs if p.text == draft.paragraphs()[0])
    marked = [r.text for r in first.runs if r.font.highlight_color is not None]
    assert marked == [report.deputies_phrase(), report.care_phrase()]
    assert "共提出建议、批评和意见4件" in "".join(
        r.text for r in first.runs if r.font.highlight_color is None
    )


# --- the command ---------------------------------------------------------------------------------------------


def test_command_prints_the_text(world, session):
    out = io.StringIO()
    call_command("handling_report", "--session", session.name, "-o", "-", "--today", "2025-07-01", stdout=out)
    text = out.getvalue()
    assert text.startswith("关于2025年八届人大五次会议代表建议办理工作情况的报告（草稿）\n")
    assert "共提出建议、批评和意见4件，其中，政府承办3件" in text
    assert "截至2025年7月1日，超期未办结1件" in text


def test_command_takes_the_short_name_and_format_txt(world, session):
    out = io.StringIO()
    call_command("handling_report", "--session", "八届人大五次会议", "--format", "txt", stdout=out)
    assert "政府承办3件" in out.getvalue()


def test_command_writes_a_word_file(world, session, tmp_path):
    target = tmp_path / "报告.docx"
    out = io.StringIO()
    call_command("handling_report", "--session", session.name, "-o", str(target), stdout=out)
    assert str(target) in out.getvalue()
    doc = docx.Document(str(target))
    assert doc.paragraphs[0].text == "关于2025年八届人大五次会议代表建议办理工作情况的报告（草稿）"


def test_unknown_session_is_an_error_naming_the_sessions(session):
    CongressSession.objects.create(name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4)
    with pytest.raises(CommandError) as caught:
        call_command("handling_report", "--session", "第九届人民代表大会第一次会议", "-o", "-")
    assert caught.value.returncode == 1
    message = str(caught.value)
    assert "没有名为「第九届人民代表大会第一次会议」的届次会议" in message
    assert "第八届人民代表大会第五次会议" in message and "第八届人民代表大会第四次会议" in message


# --- the download --------------------------------------------------------------------------------------------


def download(client, user, session_param):
    client.force_login(user)
    return client.get(reverse("suggestions:handling_report"), {"session": session_param})


def test_office_downloads_the_word_draft_with_a_chinese_filename(client, office, world, session):
    response = download(client, office, session.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    filename = "关于2025年八届人大五次会议代表建议办理工作情况的报告（草稿）.docx"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"filename*=utf-8''{urllib.parse.quote(filename)}" in response["Content-Disposition"]
    doc = docx.Document(io.BytesIO(response.content))
    assert doc.paragraphs[0].text == filename.removesuffix(".docx")
    assert any("政府承办3件" in p.text for p in doc.paragraphs)


def test_congress_staff_may_download_too(client, congress, world, session):
    assert download(client, congress, session.pk).status_code == 200


@pytest.mark.parametrize("who", ["deputy_user", "clerk"])
def test_deputies_and_units_may_not_download(client, request, who, world, session):
    assert download(client, request.getfixturevalue(who), session.pk).status_code == 403


@pytest.mark.parametrize("param", ["", "abc", "99999"])
def test_a_missing_or_unknown_session_is_a_bad_request(client, office, session, param):
    response = download(client, office, param)
    assert response.status_code == 400
    assert "届次会议" in response.content.decode()


def test_a_leader_gets_the_report_of_their_portfolio(client, leader_user, world, session):
    response = download(client, leader_user, session.pk)
    assert response.status_code == 200
    doc = docx.Document(io.BytesIO(response.content))
    title = "关于2025年八届人大五次会议副市长王建国分管领域代表建议办理工作情况的报告（草稿）"
    assert doc.paragraphs[0].text == title
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "属于副市长王建国分管领域的共2件，均由政府承办，涉及城建交通方面2件。" in text
    assert "截至目前，2件建议全部办理完结并取得代表满意，办结率和满意率均为100%。" in text
    assert "从代表评价看，已评价的2件建议中，满意1件，占50.0%，基本满意1件，占50.0%。" in text
    assert doc.paragraphs[3].text.startswith("2025年八届人大五次会议期间")
    assert "教科文卫" not in doc.paragraphs[3].text
    portfolio = doc.tables[4]
    assert [c.text for c in portfolio.rows[1].cells] == ["副市长王建国", "2", "1", "2", "100%"]


def test_the_word_draft_highlights_each_phrase_to_check_in_a_run_of_its_own():
    assert report_docx.segments("甲乙丙丁戊", ("乙丙", "丁", "己")) == [
        ("甲", False),
        ("乙丙", True),
        ("丁", True),
        ("戊", False),
    ]
    assert report_docx.segments("甲乙丙", ("甲乙", "乙丙")) == [("甲乙", True), ("丙", True)]
    assert report_docx.segments("甲乙", ()) == [("甲乙", False)]
