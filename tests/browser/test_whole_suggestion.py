"""One suggestion's whole life in the browser, each step by the right person in their own browser."""

import pytest

from suggestions.models import Suggestion
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_whole_life_from_registration_to_closing(
    desk, session, categories, units, deputies, office, clerk, head, co_clerk, deputy_user
):
    office_desk = desk("office", PASSWORD)
    office_desk.open("/suggestions/new/")
    page = office_desk.page
    page.fill("#id_number", "18")
    page.fill("#id_title", "关于增设城区公交站点候车亭的建议")
    page.fill("#id_content", "城区部分公交站点没有候车亭，雨雪天群众候车不便，建议增设。")
    page.select_option("#id_lead_deputy", label="赵明远")
    page.select_option("#id_category", label="城建交通")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "已登记第18号建议" in page.locator(".alert").first.inner_text()
    suggestion = Suggestion.objects.get(number=18)
    path = f"/suggestions/{suggestion.pk}/"

    office_desk.act("assign", selects={"lead_unit": "市交通运输局", "co_units": "市财政局"})
    assert "已交办" in page.content()

    unit = desk("clerk", PASSWORD).open(path)
    unit.act("sign_for")
    unit.act(
        "log_contact",
        fields={"participants": "周敏、赵明远代表", "summary": "电话沟通了候车亭的选址，代表同意先建10处。"},
        selects={"method": "电话交流"},
    )

    co = desk("co_clerk", PASSWORD).open(path)
    co.act("sign_for")
    co.act("send_opinion", fields={"text": "财政局将候车亭建设资金列入明年预算。"})

    unit.open(path).act(
        "draft_reply",
        fields={
            "document_number": "霍交函〔2025〕18号",
            "contact_person": "周敏",
            "contact_phone": "0357-5620000",
            "text": "经研究，今年先在城区主干道增设候车亭5处。",
        },
        radios={"result_class": "A"},
    )
    head_desk = desk("head", PASSWORD).open(path)
    head_desk.act("sign_reply")
    unit.open(path).act("submit_reply")
    office_desk.open(path).act("review_reply", radios={"accept": "1"})

    deputy = desk("deputy", PASSWORD).open(path)
    deputy.act(
        "rate",
        fields={"comment": "只建5处，远远不够。"},
        press="button[data-unsatisfied]",
        then="button[data-confirm-unsatisfied]",
    )
    suggestion.refresh_from_db()
    assert suggestion.state == Suggestion.State.REHANDLING and suggestion.round == 2

    unit.open(path).act("sign_for")
    unit.act(
        "draft_reply",
        fields={"document_number": "霍交函〔2025〕25号", "text": "经再次研究，年内增设候车亭10处。"},
        radios={"result_class": "A"},
    )
    head_desk.open(path).act("sign_reply")
    unit.open(path).act("submit_reply")
    office_desk.open(path).act("review_reply", radios={"accept": "1"})
    deputy.open(path).act("rate", press="button[name=overall][value='3']")  # one tap
    office_desk.open(path).act("close")

    suggestion.refresh_from_db()
    assert suggestion.state == Suggestion.State.CLOSED
    timeline = office_desk.page.locator("#timeline").inner_text()
    for step in [
        "登记",
        "交办",
        "签收",
        "记录沟通",
        "报送协办意见",
        "报送答复",
        "审核答复",
        "评价答复",
        "办结",
    ]:
        assert step in timeline
    # drafting and signing the letter stay inside the unit: its own timeline has them, the office's does not
    assert "拟写答复" not in timeline and "签发答复" not in timeline
    unit_timeline = unit.open(path).page.locator("#timeline").inner_text()
    assert "拟写答复" in unit_timeline and "签发答复" in unit_timeline
    assert "已办结" in office_desk.page.content()
