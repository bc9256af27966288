"""承办单位考核: each unit's score from its measured items, the weights from the rules (and the office's file),
the page, and the workbook's sheet. The figures below are worked out by hand from the fixture."""

import datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import assessment, exports, rules, workflow
from suggestions.models import Suggestion

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 12, 31)


@pytest.fixture
def assessed(journey, office, clerk):
    """No. 1, assigned on 2025-03-03 to the transport bureau (lead) and the finance bureau (co-unit, which never
    signs for it). The transport bureau signs on 3月4日 (window until 3月10日), phones the deputy on 3月5日, has its
    first reply returned, its second (B, commitment due 6月30日, not done) accepted on 3月13日, rated 满意."""
    journey.assign().sign()
    s, lead = journey.s, journey.lead
    workflow.perform(
        "log_contact",
        user=clerk,
        suggestion=s,
        assignment=lead,
        at=journey.step(),
        method="phone",
        contacted_on=datetime.date(2025, 3, 5),
        participants="周敏",
        summary="电话听取代表意见",
    )
    due = datetime.date(2025, 6, 30)
    journey.draft("B", commitment_due=due).sign_off().submit()
    workflow.perform(
        "review_reply",
        user=office,
        suggestion=s,
        assignment=lead,
        at=journey.step(),
        accept=False,
        reason="未逐条回应代表所提问题。",
    )
    journey.draft("B", commitment_due=due).sign_off().submit().accept().rate(3)
    return journey


def scores_of(suggestions=None, today=TODAY):
    rows = assessment.unit_scores(suggestions or Suggestion.objects.all(), today)
    return {row.unit: row for row in rows}


def test_each_units_score_is_its_items_points(assessed):
    scores = scores_of()
    transport, finance = scores["市交通运输局"], scores["市财政局"]
    assert [(i.name, i.measured, i.points, i.weight) for i in transport.items] == [
        ("按时签收", "1/1", 10, 10),
        ("答复前沟通", "1/1", 20, 20),
        ("按期答复", "1/1", 20, 20),
        ("答复退回", "退回1次/报送2次", 5, 10),
        ("代表评价", "满意1、基本满意0、不满意0", 30, 30),
        ("承诺落实", "0/1", 0, 10),
    ]
    assert (transport.rank, transport.score, transport.weight) == (1, 85, 100)
    # the co-unit never signed and sent no opinion: nothing to reply, rate or keep earns full points
    assert [(i.measured, i.points) for i in finance.items] == [
        ("0/1", 0),
        ("无（按满分计）", 20),
        ("0/1", 0),
        ("无（按满分计）", 10),
        ("无（按满分计）", 30),
        ("无（按满分计）", 10),
    ]
    assert (finance.rank, finance.score) == (2, 70)


def test_a_commitment_done_by_its_date_earns_its_points(assessed, office):
    s = assessed.s
    workflow.perform(
        "follow_up",
        user=office,
        suggestion=s,
        at=assessed.step(90),
        followed_on=datetime.date(2025, 6, 1),
        progress="改造完成",
        is_done=True,
    )
    assert scores_of()["市交通运输局"].items[-1].measured == "1/1"
    assert scores_of()["市交通运输局"].score == 95


def test_a_commitment_not_yet_due_is_not_counted(assessed):
    assert scores_of(today=datetime.date(2025, 6, 1))["市交通运输局"].items[-1].measured == "无（按满分计）"


def test_the_rules_file_changes_the_weights_and_so_the_scores(assessed, settings, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[assessment_weights]\nsatisfaction = 60\nsigned_on_time = 0\n", encoding="utf-8")
    settings.SUGGESTION_RULES_FILE = str(path)
    assert assessment.weights()["satisfaction"] == 60
    assert assessment.weights()["contacted"] == 20  # the others keep their defaults
    scores = scores_of()
    assert (scores["市交通运输局"].score, scores["市交通运输局"].weight) == (105, 120)
    assert scores["市财政局"].score == 100


def test_a_weight_for_an_item_that_does_not_exist_is_refused(settings, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("[assessment_weights]\nspeed = 5\n", encoding="utf-8")
    settings.SUGGESTION_RULES_FILE = str(path)
    with pytest.raises(rules.RulesError) as caught:
        rules.current()
    assert "「speed」不是可以设置的项目" in caught.value.message


def test_the_statistics_workbook_has_the_assessment_sheet(assessed, tmp_path):
    path = tmp_path / "statistics.xlsx"
    exports.write_statistics(
        Suggestion.objects.all(), path, scope="第八届人民代表大会第五次会议", today=TODAY
    )
    sheet = openpyxl.load_workbook(path)["承办单位考核"]
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert rows[0][:5] == ["名次", "承办单位", "总分", "按时签收（满分10）", "按时签收实测"]
    assert rows[1] == [1, "市交通运输局", 85, 10, "1/1", 20, "1/1", 20, "1/1", 5, "退回1次/报送2次", 30,
                       "满意1、基本满意0、不满意0", 0, "0/1"]  # fmt: skip
    assert rows[2][:3] == [2, "市财政局", 70]


def page(client, user, s):
    client.force_login(user)
    return client.get(reverse("suggestions:assessment") + f"?session={s.session_id}")


def test_the_office_reads_the_units_by_score_on_a_page_linked_from_the_dashboard(client, assessed, office):
    response = page(client, office, assessed.s)
    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("市交通运输局") < text.index("市财政局")
    assert "85.0" in text and "退回1次/报送2次" in text
    dashboard = client.get(reverse("suggestions:dashboard") + f"?session={assessed.s.session_id}")
    assert reverse("suggestions:assessment") in dashboard.content.decode()


def test_a_leader_sees_the_units_of_their_portfolio_only(client, assessed, leader_user, other_leader_user):
    assert "市交通运输局" in page(client, leader_user, assessed.s).content.decode()
    assert "本范围内没有承办单位" in page(client, other_leader_user, assessed.s).content.decode()


def test_units_and_deputies_may_not_open_the_assessment(client, assessed, clerk, deputy_user):
    assert page(client, clerk, assessed.s).status_code == 403
    assert page(client, deputy_user, assessed.s).status_code == 403


def test_the_page_takes_as_many_queries_for_more_units(client, assessed, office, units, categories, deputies):
    def queries():
        client.force_login(office)
        with CaptureQueriesContext(connection) as captured:
            assert page(client, office, assessed.s).status_code == 200
        return len(captured)

    before = queries()
    for number in (2, 3):
        s = workflow.register(
            user=office,
            session=assessed.s.session,
            number=number,
            title=f"关于第{number}件事的建议",
            lead_deputy=deputies["other"],
            category=categories["教科文卫"],
        )
        workflow.perform(
            "assign",
            user=office,
            suggestion=s,
            separate_units=[units["health"], units["housing"]],
            co_units=[units["finance"]],
            supported_unit=units["health"],
        )
    assert len(scores_of()) == 4
    assert queries() == before


def test_a_reply_without_contact_with_the_deputy_earns_nothing_for_contact(journey):
    journey.assign(co=False).reply()
    contacted = scores_of()["市交通运输局"].items[1]
    assert (contacted.name, contacted.measured, contacted.points) == ("答复前沟通", "0/1", 0)
