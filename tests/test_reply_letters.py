"""The 答复函 as a Word file, read back with python-docx: the letterhead, the 文号 with the class mark, 签发人, the
addressee, the text, the unit and date, 联系人, the publication mark and the 抄送 line; the draft the unit's head
signs; who may download it from the suggestion's page; and ``manage.py reply_letter``."""

import datetime
import io
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import RGBColor

from suggestions import access, workflow
from suggestions.models import Reply
from suggestions.reply_letters import letter_for
from tests.view_helpers import detail_url, text

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def huozhou(settings):
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "city": "霍州"}


def letter_url(reply):
    return reverse("suggestions:reply_letter", args=[reply.pk])


def reply_of(journey):
    return Reply.objects.filter(assignment__suggestion=journey.s).latest("pk")


def download(client, user, reply, status=200):
    client.force_login(user)
    response = client.get(letter_url(reply))
    assert response.status_code == status
    return response


def read(data):
    doc = Document(io.BytesIO(data))
    return doc, [p.text for p in doc.paragraphs]


def paragraph(doc, wanted):
    return next(p for p in doc.paragraphs if p.text == wanted)


def test_an_accepted_reply_reads_as_the_letter_offices_send(client, journey, office):
    journey.assign().sign().draft("B").sign_off().submit().accept()
    reply = reply_of(journey)
    response = download(client, office, reply)
    assert response["Content-Type"] == DOCX
    disposition = unquote(response["Content-Disposition"])
    assert disposition.startswith("attachment") and disposition.endswith("答复函-霍交函〔2025〕12号.docx")
    doc, lines = read(response.content)
    assert lines[0] == "霍州市交通运输局"  # the letterhead: the rules' city before 「市交通运输局」
    assert doc.paragraphs[0].runs[0].font.color.rgb == RGBColor(0xC0, 0x00, 0x00)  # in red, as 版头
    assert "草稿" not in lines
    number = paragraph(doc, "霍交函〔2025〕12号　B类")
    signer = paragraph(doc, f"签发人：{journey.head.display_name}")
    assert number.alignment == signer.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert (
        lines.index(number.text)
        < lines.index(signer.text)
        < lines.index("对霍州市八届人大五次会议第1号建议的答复")
    )
    addressee = lines.index("赵明远、钱晓梅代表：")  # the lead deputy first, then the joint deputy
    assert lines[addressee + 1] == "经研究，答复如下：一、……"
    assert "承诺事项：年内完成改造，计划于2025年12月31日前完成。" in lines
    signed_on = f"{reply.signed_at.year}年{reply.signed_at.month}月{reply.signed_at.day}日"
    end = [p for p in doc.paragraphs if p.text in ("霍州市交通运输局", signed_on)]
    assert [p.text for p in end] == ["霍州市交通运输局", "霍州市交通运输局", signed_on]
    assert end[-1].alignment == end[-2].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert lines.index(signed_on) > addressee
    assert "联系人：周敏　联系电话：0357-5620000" in lines
    assert "公开方式：主动公开" in lines
    assert lines[-1] == "抄送：霍州市人大常委会代表工作委员会，霍州市人民政府办公室。"


def test_a_withheld_reply_carries_the_rules_mark(client, journey, office, settings):
    journey.assign().reply()
    workflow.perform(
        "publish", user=office, suggestion=journey.s, at=journey.step(), publish=False, reason="涉及个人隐私"
    )
    reply = reply_of(journey)
    assert not reply.is_public
    assert "公开方式：依申请公开" in read(download(client, office, reply).content)[1]
    settings.SUGGESTION_RULES = {**settings.SUGGESTION_RULES, "withheld_publication": "不予公开"}
    assert "公开方式：不予公开" in read(download(client, office, reply).content)[1]


def test_the_unit_downloads_its_draft_marked_as_such_for_the_head_to_sign(client, journey, clerk, head):
    journey.assign().sign().draft()
    reply = reply_of(journey)
    assert reply.state == Reply.State.DRAFT
    client.force_login(clerk)
    page = text(client.get(detail_url(journey.s)))
    assert letter_url(reply) in page and "下载答复函（Word，草稿）" in page
    response = download(client, head, reply)
    assert unquote(response["Content-Disposition"]).endswith("答复函-霍交函〔2025〕12号-草稿.docx")
    _doc, lines = read(response.content)
    assert lines[0] == "草稿"
    assert "签发人：" in lines  # left for the head to fill in
    assert "　　年　　月　　日" in lines
    assert "霍交函〔2025〕12号　A类" in lines


def test_a_draft_is_the_units_alone(client, journey, office, leader_user, deputy_user, congress, co_clerk):
    journey.assign().sign().draft()
    reply = reply_of(journey)
    for user in (office, leader_user, deputy_user, congress, co_clerk):
        download(client, user, reply, status=404)
        client.force_login(user)
        assert letter_url(reply) not in text(client.get(detail_url(journey.s)))


def test_deputies_and_congress_staff_download_it_once_accepted(
    client, journey, deputy_user, congress, office
):
    journey.assign().sign().draft().sign_off().submit()
    reply = reply_of(journey)
    download(client, office, reply)  # the office reviews the submitted letter
    download(client, deputy_user, reply, status=404)
    download(client, congress, reply, status=404)
    journey.accept()
    for user in (deputy_user, congress):
        download(client, user, reply)
        client.force_login(user)
        assert letter_url(reply) in text(client.get(detail_url(journey.s)))


def test_only_the_reply_unit_among_units_and_nobody_outside(
    client, journey, co_clerk, outsider_clerk, other_deputy_user
):
    journey.assign().reply()
    reply = reply_of(journey)
    assert not access.may_download_letter(co_clerk, reply)  # the co-unit reads the reply on the page
    download(client, co_clerk, reply, status=404)
    download(client, outsider_clerk, reply, status=404)
    download(client, other_deputy_user, reply, status=404)


def test_the_command_writes_the_letter(journey, tmp_path):
    journey.assign().sign().draft().sign_off()
    out = tmp_path / "letter.docx"
    stdout = io.StringIO()
    call_command(
        "reply_letter", "--session", "八届人大五次会议", "--number", "第1号", "-o", str(out), stdout=stdout
    )
    assert "已生成第1号建议的答复函" in stdout.getvalue() and "草稿" not in stdout.getvalue()
    _doc, lines = read(out.read_bytes())
    assert lines[0] == "霍州市交通运输局"
    assert "霍交函〔2025〕12号　A类" in lines and "赵明远、钱晓梅代表：" in lines
    call_command("reply_letter", "--number", "1", "--unit", "交通局", "-o", str(out), stdout=io.StringIO())
    assert read(out.read_bytes())[1][0] == "霍州市交通运输局"


def test_the_command_says_what_is_wrong(journey, tmp_path):
    out = str(tmp_path / "x.docx")
    with pytest.raises(CommandError, match="还没有答复"):
        call_command("reply_letter", "--number", "1", "-o", out)
    with pytest.raises(CommandError, match="没有第9号建议"):
        call_command("reply_letter", "--number", "9", "-o", out)
    with pytest.raises(CommandError, match="建议编号应为数字"):
        call_command("reply_letter", "--number", "abc", "-o", out)
    journey.assign().sign().draft()
    with pytest.raises(CommandError, match="没有「市财政局」的答复"):
        call_command("reply_letter", "--number", "1", "--unit", "市财政局", "-o", out)
    assert not (tmp_path / "x.docx").exists()


def test_a_date_of_a_commitment_is_written_in_chinese(journey):
    journey.assign().sign().draft("B", commitment_due=datetime.date(2026, 6, 30))
    assert "承诺事项：年内完成改造，计划于2026年6月30日前完成。" in letter_for(reply_of(journey)).paragraphs
