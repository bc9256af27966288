"""The demo data: the 2024 session as the Huozhou report tells it, a live current session, the demo accounts.

``seeded`` (conftest) is the demo seeded once per test run and loaded for this module."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from suggestions import demo, report, search, workflow
from suggestions.models import (
    Assignment,
    CongressSession,
    Event,
    ExtensionRequest,
    HandlingUnit,
    ReassignmentRequest,
    Reply,
    Ruling,
    SearchDocument,
    Suggestion,
    SupervisionNote,
)
from tests.result_class_helpers import HUOZHOU

REPORT_SESSION = "第八届人民代表大会第四次会议"
CURRENT_SESSION = "第八届人民代表大会第五次会议"
KEY_OUTCOMES = {
    "关于有效提升辖区消防能力的建议": ("市消防救援大队", "排查整治该类问题隐患269处"),
    "关于村民医疗报销更加快捷方便的建议": ("市医疗保障局", "165家村卫生室接入医保骨干网络"),
    "关于切实解决供暖问题，保障供热质量，提高服务水平的建议": ("市住房和城乡建设管理局", "202台换热机组"),
    "关于农村道路提档升级的建议": ("市交通运输局", "其余12个年内完工"),
    "关于持续发展城市公共交通的建议": ("市交通运输局", "老年公交卡22800余张"),
    "关于打造七里峪旅游公路的建议": ("市交通运输局", "总投资1.56亿元的3条旅游公路"),
}


def fingerprint():
    """Everything the demo writes, in a form two runs can be compared by (passwords are salted anew)."""
    counts = {
        model._meta.label: model._default_manager.count()
        for label in ("suggestions", "accounts")
        for model in apps.get_app_config(label).get_models()
    }
    suggestions = Suggestion.objects.order_by("session__name", "number").values_list(
        "session__name",
        "number",
        "title",
        "state",
        "round",
        "lead_unit__name",
        "leader__name",
        "supervising_leader__name",
        "assigned_on",
        "deadline",
        "replied_at",
        "result_class",
        "rating",
        "closed_at",
    )
    events = Event.objects.order_by("suggestion__session__name", "suggestion__number", "created_at", "id")
    users = User.objects.order_by("username").values_list(
        "username", "name", "role", "unit__name", "deputy__name", "leader__name", "is_active"
    )
    units = HandlingUnit.objects.values_list("name", "short_name", "leader__name", "document_prefix", "order")
    return {
        "counts": counts,
        "suggestions": list(suggestions),
        "events": list(
            events.values_list(
                "suggestion__number", "action", "actor__username", "to_state", "note", "created_at"
            )
        ),
        "users": list(users),
        "units": list(units),
    }


def current(**filters):
    return Suggestion.objects.filter(session__name=CURRENT_SESSION, **filters)


@pytest.mark.django_db
def test_seed_loads_the_report_session_and_the_current_session(seeded):
    assert seeded.sessions == [(REPORT_SESSION, 62), (CURRENT_SESSION, current().count())]
    assert CongressSession.objects.get(is_current=True).name == CURRENT_SESSION
    assert seeded.reference["类别"] == 5
    assert 35 <= seeded.reference["代表"] <= 45


@pytest.mark.django_db
def test_every_2024_suggestion_went_through_the_workflow_and_closed(seeded):
    handled = Suggestion.objects.filter(session__name=REPORT_SESSION).exclude(
        state=Suggestion.State.NOT_GOVERNMENT
    )
    assert handled.count() == 61
    assert set(handled.values_list("state", flat=True)) == {Suggestion.State.CLOSED}
    for action in ("register", "assign", "sign_for", "draft_reply", "sign_reply", "review_reply", "close"):
        assert (
            Event.objects.filter(suggestion__in=handled, action=action)
            .values("suggestion")
            .distinct()
            .count()
            == 61
        )
    handed = Suggestion.objects.get(session__name=REPORT_SESSION, state=Suggestion.State.NOT_GOVERNMENT)
    assert handed.other_organ == "市人民法院"


@pytest.mark.django_db
def test_the_six_key_suggestions_of_the_report_with_their_outcomes(seeded):
    key = Suggestion.objects.filter(session__name=REPORT_SESSION, is_key=True)
    assert set(key.values_list("title", flat=True)) == set(KEY_OUTCOMES)
    for suggestion in key:
        unit, outcome = KEY_OUTCOMES[suggestion.title]
        assert suggestion.lead_unit.name == unit
        assert suggestion.supervising_leader is not None
        reply = Reply.objects.get(assignment__suggestion=suggestion, state=Reply.State.ACCEPTED)
        assert outcome in reply.text
        assert suggestion.rating == 3  # 代表均给予满意评价


@pytest.mark.django_db
def test_2024_commitments_are_followed_up_and_done(seeded):
    b_replies = Reply.objects.filter(assignment__suggestion__session__name=REPORT_SESSION, result_class="B")
    assert b_replies.count() >= 2
    assert not b_replies.filter(commitment_done_on=None).exists()
    road = b_replies.get(assignment__suggestion__title="关于农村道路提档升级的建议")
    assert "其余12个年内完工" in road.commitment
    assert road.follow_ups.filter(is_done=True).exists()


@pytest.mark.django_db
def test_seeding_twice_gives_the_same_data(seeded):
    before = fingerprint()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert fingerprint() == before
    assert f"{REPORT_SESSION}：已存在，跳过" in out.getvalue()
    assert "unit1_head" in out.getvalue()


@pytest.mark.django_db
def test_current_session_has_a_suggestion_in_every_live_state(seeded):
    states = set(current().values_list("state", flat=True))
    expected = set(Suggestion.State) - {Suggestion.State.WITHDRAWN, Suggestion.State.NOT_GOVERNMENT}
    assert expected <= states


@pytest.mark.django_db
def test_current_session_has_an_assignment_in_every_state(seeded):
    states = set(
        Assignment.objects.filter(suggestion__session__name=CURRENT_SESSION).values_list("state", flat=True)
    )
    assert states == set(Assignment.State)


@pytest.mark.django_db
def test_current_session_shows_the_cases_the_demo_promises(seeded):
    in_session = {"assignment__suggestion__session__name": CURRENT_SESSION}
    assert ReassignmentRequest.objects.filter(status=Ruling.PENDING, **in_session).exists()
    assert ReassignmentRequest.objects.filter(status=Ruling.APPROVED, **in_session).exists()
    assert ExtensionRequest.objects.filter(status=Ruling.PENDING, **in_session).exists()
    assert ExtensionRequest.objects.filter(status=Ruling.APPROVED, **in_session).exists()
    assert current().overdue().exists()
    assert current(state=Suggestion.State.IN_HANDLING, deadline__gt=timezone.localdate()).exists()
    assert current(state=Suggestion.State.REHANDLING, round=2).exists()
    assert current(assignments__role=Assignment.Role.SEPARATE).distinct().count() == 1
    co_parts = Assignment.objects.filter(suggestion__session__name=CURRENT_SESSION, role=Assignment.Role.CO)
    assert co_parts.filter(state=Assignment.State.SIGNED).exists()  # an opinion still owed
    open_commitment = Reply.objects.filter(
        result_class="B",
        commitment_done_on=None,
        assignment__suggestion__state=Suggestion.State.CLOSED,
        **in_session,
    )
    assert open_commitment.filter(follow_ups__is_done=False).exists()
    closed_unrated = current(state=Suggestion.State.CLOSED, rating=None)
    assert closed_unrated.exists()


@pytest.mark.django_db
def test_a_current_key_suggestion_has_the_leaders_comment_and_a_supervision_note(seeded):
    leader = User.objects.get(username="leader")
    supervised = current(is_key=True, supervising_leader=leader.leader, state=Suggestion.State.IN_HANDLING)
    notes = SupervisionNote.objects.filter(suggestion__in=supervised)
    assert notes.filter(kind=SupervisionNote.Kind.COMMENT, author=leader).exists()
    assert notes.filter(kind=SupervisionNote.Kind.SUPERVISE).exists()


@pytest.mark.django_db
def test_every_demo_account_signs_in_with_the_demo_password(seeded):
    accounts = demo.demo_accounts()
    assert len({a.username for a in accounts}) == len(accounts)
    for account in accounts:
        assert Client().login(username=account.username, password=demo.DEMO_PASSWORD), account.username


@pytest.mark.django_db
def test_demo_accounts_are_linked_as_the_table_says(seeded):
    for account in demo.demo_accounts():
        user = User.objects.get(username=account.username)
        assert (user.role, user.name) == (account.role, account.name)
        assert (user.unit.name if user.unit else "") == account.unit
        assert (user.deputy.name if user.deputy else "") == account.deputy
        assert (user.leader.name if user.leader else "") == account.leader


@pytest.mark.django_db
def test_unit1_head_is_head_of_unit1s_unit_the_busiest_now(seeded):
    clerk, head = User.objects.get(username="unit1"), User.objects.get(username="unit1_head")
    assert head.role == Role.UNIT_HEAD and head.unit == clerk.unit
    assert clerk.unit.name == "市交通运输局"
    parts = Assignment.objects.current().filter(suggestion__session__name=CURRENT_SESSION)
    busiest = max(HandlingUnit.objects.all(), key=lambda unit: parts.filter(unit=unit).open().count())
    assert busiest == clerk.unit
    waiting_for_head = parts.get(unit=clerk.unit, state=Assignment.State.DRAFTED).suggestion
    assert "sign_reply" in [a.name for a in workflow.available_actions(waiting_for_head, head)]


@pytest.mark.django_db
def test_deputy1_leads_several_current_suggestions_one_waiting_for_their_rating(seeded):
    user = User.objects.get(username="deputy1")
    led = current(lead_deputy=user.deputy)
    assert led.count() >= 3
    waiting = led.get(state=Suggestion.State.REPLIED)
    assert "rate" in [a.name for a in workflow.available_actions(waiting, user)]


@pytest.mark.django_db
def test_the_leaders_portfolio_spans_both_sessions_with_key_suggestions(seeded):
    leader = User.objects.get(username="leader").leader
    assert leader.title == "副市长" and leader.portfolio
    for name in (REPORT_SESSION, CURRENT_SESSION):
        portfolio = Suggestion.objects.filter(session__name=name, leader=leader)
        assert portfolio.exists()
        assert portfolio.filter(is_key=True, supervising_leader=leader).exists()


@pytest.mark.django_db
def test_the_real_mayor_is_not_in_the_demo(seeded):
    names = [
        *User.objects.values_list("name", flat=True),
        *apps.get_model("suggestions", "Deputy").objects.values_list("name", flat=True),
        *apps.get_model("suggestions", "Leader").objects.values_list("name", flat=True),
    ]
    assert "张可新" not in names
    for path in demo.FIXTURES.glob("*.json"):
        assert "张可新" not in path.read_text(encoding="utf-8")


# --- the 2024 session's handling report: the figures of the Huozhou report ---------------------------------


HUOZHOU_KEYS = [
    "有效提升辖区消防能力的建议",
    "村民医疗报销更加快捷方便的建议",
    "切实解决供暖问题，保障供热质量，提高服务水平的建议",
    "农村道路提档升级的建议",
    "持续发展城市公共交通的建议",
    "打造七里峪旅游公路的建议",
]


@pytest.mark.django_db
def test_the_seeded_2024_session_reads_like_the_huozhou_report(seeded):
    out = io.StringIO()
    call_command("handling_report", "--session", "第八届人民代表大会第四次会议", "-o", "-", stdout=out)
    text = out.getvalue()
    assert (
        "共提出建议、批评和意见62件，其中，政府承办61件，分别涉及城建交通方面24件，农林水利方面8件，"
        "教科文卫方面11件，社会民生方面11件，经济环保方面7件" in text
    )
    assert "截至目前，61件建议全部办理完结并取得代表满意，办结率和满意率均为100%" in text
    assert "在61件代表建议、批评和意见中，共确定了6项具有代表性的重点建议" in text
    assert "目前，6项重点建议已办结，代表均给予满意评价。" in text
    for title in HUOZHOU_KEYS:
        assert f"关于“{title}”办理情况" in text


# The first paragraph of the published report (seed/huozhou-2024-handling-report.txt), as published: its
# half-width commas and colons are the web page's, the report itself writes full-width ones.
HUOZHOU_FIRST_PARAGRAPH = (
    "2024年八届人大四次会议期间,我市人大代表认真履行代表职责,立足于霍州发展实际,围绕转型发展、改革创新、"
    "保障民生等问题,积极建言献策,共提出建议、批评和意见62件,其中,政府承办61件,分别涉及城建交通方面24件,"
    "农林水利方面8件,教科文卫方面11件,社会民生方面11件,经济环保方面7件。对于这些意见、建议,市政府高度重视,"
    "以对人大代表和全市人民高度负责的态度,认真研究,专人落实,强化督办,做了大量的工作。截至目前,61件建议全部"
    "办理完结并取得代表满意,办结率和满意率均为100%。"
)
HALF_WIDTH = str.maketrans("，：；（）！？", ",:;()!?")


def punctuation_aside(text):
    return text.translate(HALF_WIDTH)


@pytest.fixture
def huozhou_rules(settings):
    settings.SUGGESTION_RULES_FILE = str(HUOZHOU)


@pytest.mark.django_db
@pytest.mark.usefixtures("huozhou_rules")
def test_with_the_huozhou_rules_the_first_paragraph_is_the_published_one(seeded):
    session = CongressSession.objects.get(name=REPORT_SESSION)
    draft = report.compose(Suggestion.objects.filter(session=session), session=session)
    first = draft.paragraphs()[0]
    assert punctuation_aside(first) == HUOZHOU_FIRST_PARAGRAPH
    assert "," not in first and "，" in first  # the report writes full-width punctuation


@pytest.mark.django_db
@pytest.mark.usefixtures("huozhou_rules")
def test_the_satisfied_and_basically_satisfied_split_follows_the_first_paragraph(seeded):
    session = CongressSession.objects.get(name=REPORT_SESSION)
    second = report.compose(Suggestion.objects.filter(session=session), session=session).paragraphs()[1]
    assert "从代表评价看，已评价的61件建议中，满意56件，占91.8%，基本满意5件，占8.2%。" in second
    assert "A类（已解决或采纳）53件，占86.9%；B类（正在解决或列入计划解决）4件，占6.6%" in second


@pytest.mark.django_db
def test_the_key_suggestions_come_in_the_published_report_s_order(seeded):
    out = io.StringIO()
    call_command("handling_report", "--session", REPORT_SESSION, "-o", "-", stdout=out)
    text = out.getvalue()
    # HUOZHOU_KEYS is the published order: ①消防 ②医疗 ③供暖 ④农村道路 ⑤公交 ⑥七里峪
    headings = [f"{report.circled(n)}关于“{title}”办理情况" for n, title in enumerate(HUOZHOU_KEYS, 1)]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_the_office_reorders_the_key_suggestions_of_a_closed_session(seeded):
    office = User.objects.get(username="office")
    session = CongressSession.objects.get(name=REPORT_SESSION)
    bus = Suggestion.objects.get(session=session, title="关于持续发展城市公共交通的建议")
    assert bus.state == Suggestion.State.CLOSED
    workflow.perform("order_key", user=office, suggestion=bus, key_order=None)  # after the numbered ones
    keys = report.key_suggestions(Suggestion.objects.filter(session=session))
    assert keys[-1] == bus
    assert [s.key_order for s in keys] == [1, 2, 3, 4, 6, None]
    assert Event.objects.filter(suggestion=bus, action="order_key").latest("id").note == (
        "重点建议顺序：不指定（按建议编号）"
    )


@pytest.mark.django_db
def test_section_two_counts_the_demo_s_requests_contacts_and_supervision(seeded):
    def practice(name):
        session = CongressSession.objects.get(name=name)
        text = report.compose(Suggestion.objects.filter(session=session), session=session).text()
        return text[text.index("二、办理工作的主要做法") : text.index("三、办理工作的努力方向")]

    done = practice(REPORT_SESSION)
    assert (
        "交由21个承办单位办理（其中主办或分办单位18个）。办理过程中，承办单位申请调整1件，同意调整1件、不同意0件。"
        in done
    )
    assert (
        "其中登门走访14件、电话交流13件、实地调研20件、座谈14件（一件建议可有多种方式）；见面沟通48件，见面率78.7%。"
        in done
    )
    assert "特别是对6项重点建议，督办中实地调研3次、电话督查1次、专题会议2次、领导批示4次，" in done
    live = practice(CURRENT_SESSION)
    assert (
        "承办单位申请调整2件，同意调整1件、不同意0件、待审批1件；申请延期2件，批准1件、不批准0件、待审批1件。"
        in live
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("huozhou_rules")
def test_the_2024_session_brought_in_from_its_summary_reads_as_huozhou_published_it(
    seeded, tmp_path, settings
):
    """An office starting with history: the demo's 2024 汇总表, exported and brought in as another session, gives
    the published first paragraph and the same class and rating sentences."""
    from suggestions import exports  # noqa: PLC0415 (only this test writes a workbook)

    settings.MEDIA_ROOT = tmp_path / "media"
    original = CongressSession.objects.get(name=REPORT_SESSION)
    path = tmp_path / "霍州2024汇总表.xlsx"
    exports.write_summary(Suggestion.objects.filter(session=original).order_by("number"), path)
    call_command(
        "import_history", str(path), "--session", "九届人大四次会议", "--year", "2024", stdout=io.StringIO()
    )
    copy = CongressSession.objects.get(term=9, meeting=4)
    paragraphs = report.compose(Suggestion.objects.filter(session=copy), session=copy).paragraphs()
    assert punctuation_aside(paragraphs[0].replace("九届", "八届")) == HUOZHOU_FIRST_PARAGRAPH
    published = report.compose(Suggestion.objects.filter(session=original), session=original).paragraphs()
    assert paragraphs[1] == published[1]  # 「A类（已解决或采纳）53件，占86.9%；…满意56件，占91.8%…」


def test_the_demo_is_indexed_for_similar_suggestions(seeded):
    assert SearchDocument.objects.count() == Suggestion.objects.count()
    heating = Suggestion.objects.get(session__name=REPORT_SESSION, title__startswith="关于切实解决供暖问题")
    assert heating.pk in [h.suggestion_id for h in search.search("供暖问题，保障供热质量", limit=3)]
