"""Bidirectional controls, zero-width and other invisible characters never get into a title, a reply or a
record: every registration (typed in or imported) and every action refuses them, naming the field, and
nothing is written."""

import datetime

import pytest

from suggestions import workflow
from suggestions.models import ContactRecord, Suggestion
from tests.test_views_registry import REGISTER, new_suggestion_data
from tests.view_helpers import text
from tests.workflow_helpers import refused

pytestmark = pytest.mark.django_db

INVISIBLE = {
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "byte order mark": "\ufeff",
    "NUL": "\x00",
    "bell": "\x07",
    "tag": "\U000e0041",
}
PARAMS = [pytest.param(ch, id=name) for name, ch in INVISIBLE.items()]


@pytest.mark.parametrize("ch", PARAMS)
def test_a_title_with_an_invisible_character_is_refused_on_the_register_form(
    client, office, session, deputies, categories, ch
):
    client.force_login(office)
    data = new_suggestion_data(session, deputies, categories, title=f"关于增设{ch}公交站点的建议")
    response = client.post(REGISTER, data)
    assert response.status_code == 400
    block = text(response).split('data-field="title"')[1].split("data-field=")[0]
    assert "控制字符" in block or "空字符" in block  # Django's own check catches NUL first
    assert not Suggestion.objects.exists()


def test_an_imported_row_with_a_bidi_override_is_refused_by_its_number(office, session, deputies, categories):
    entries = [
        {
            "session": session,
            "number": n,
            "title": title,
            "lead_deputy": deputies["lead"],
            "category": categories["城建交通"],
        }
        for n, title in ((1, "关于修路的建议"), (2, "关于\u202e议建的灯路\u202c的建议"))
    ]
    with pytest.raises(workflow.RegistrationError) as caught:
        workflow.register_many(user=office, entries=entries)
    assert (caught.value.index, caught.value.field) == (1, "title")
    assert (
        caught.value.message
        == "「案由」中含有看不见的控制字符（如文字方向控制符、零宽字符），请删除后重新提交。"
    )
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("ch", PARAMS)
def test_a_contact_record_with_an_invisible_character_is_refused(journey, ch):
    j = journey.assign().sign()
    message = refused(
        "log_contact",
        user=j.clerk,
        suggestion=j.s,
        assignment=j.lead,
        at=j.step(),
        method=ContactRecord.Method.values[0],
        contacted_on=j.at.date() - datetime.timedelta(days=1),
        participants="周敏",
        summary=f"电话沟通{ch}了办理思路。",
    )
    assert message == workflow.base.INVISIBLE_MESSAGE
    assert not ContactRecord.objects.exists()


def test_a_reply_text_with_a_nul_byte_is_refused_not_a_database_error(journey):
    j = journey.assign().sign()
    with pytest.raises(workflow.WorkflowError) as caught:
        j.draft(text="经研究，答复如下：\x00一、……")
    assert caught.value.field == "text"
    assert not j.lead.replies.exists()


def test_ordinary_line_breaks_tabs_and_chinese_punctuation_pass(journey):
    j = journey.assign().sign()
    j.draft(text="经研究，答复如下：\r\n\t一、「道路」（二期）；\n二、……")
    assert j.lead.replies.get().text.startswith("经研究")
