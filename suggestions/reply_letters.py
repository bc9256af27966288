"""答复函: a reply written out as the letter the unit signs and sends, as a Word file.

``letter_for(reply)`` gathers what the letter says from the reply and the regional rules; ``render(letter)`` lays
it out in the house style of the notices (``notices_docx``: A4 with the margins of GB/T 9704, 仿宋 三号 body):

- the unit's name as the red letterhead over a red rule (霍州市交通运输局, the rules' city before a 「市…」 name);
- at the top right the 文号 with the class mark (「霍交函〔2025〕12号　A类」), and under it 签发人;
- the title (对霍州市八届人大五次会议第1号建议的答复), the addressee (「周建国、李红代表：」: the lead deputy first,
  then the joint deputies), the text paragraph by paragraph, the commitment of a commitment-class reply;
- the unit and the date, right-aligned; 联系人 and phone; the publication mark (主动公开 for a public reply, else
  the rules' ``withheld_publication``); the 抄送 line to the congress standing committee's 代表工作委员会 and the
  government office.

A reply not yet signed by the unit's head is the unit's draft: 「草稿」 stands above the letterhead and 签发人 is
left for the head to fill in.
"""

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from . import notices, notices_docx, report_docx, rules
from .formats import date_cn
from .models import Reply

DOCX_CONTENT_TYPE = report_docx.DOCX_CONTENT_TYPE
DRAFT_MARK = "草稿"
PUBLIC_MARK = "主动公开"
GREY = RGBColor(0x80, 0x80, 0x80)


@dataclass
class Letter:
    letterhead: str  # 霍州市交通运输局
    document_number: str  # 霍交函〔2025〕12号
    class_mark: str  # A类
    signer: str  # 签发人, "" while the head has not signed
    title: str  # 对霍州市八届人大五次会议第1号建议的答复
    addressee: str  # 周建国、李红代表：
    paragraphs: list[str]
    unit: str  # the closing name (the letterhead's)
    date: str  # 2025年4月10日
    contact: str  # 联系人：周敏　联系电话：0357-5620000
    publication: str  # 主动公开 / 依申请公开 / 不予公开
    copies: str  # 抄送：霍州市人大常委会代表工作委员会，霍州市人民政府办公室。
    is_draft: bool
    filename: str

    @property
    def number_line(self) -> str:
        return "　".join(part for part in (self.document_number, self.class_mark) if part)

    @property
    def signer_line(self) -> str:
        return f"签发人：{self.signer}"

    @property
    def publication_line(self) -> str:
        return f"公开方式：{self.publication}"


def unit_full_name(unit) -> str:
    """The unit as a letterhead names it: 「市交通运输局」 with the rules' city, 霍州市交通运输局."""
    city, place = rules.city(), rules.place()
    if city and unit.name.startswith(place) and not unit.name.startswith(city):
        return city + unit.name
    return unit.name


def addressee(suggestion) -> str:
    """「周建国代表：」, or 「周建国、李红代表：」 for a joint suggestion (the lead deputy first)."""
    return "、".join(d.name for d in suggestion.deputies) + "代表："


def publication(reply) -> str:
    return PUBLIC_MARK if reply.is_public else rules.get("withheld_publication")


def copies_line() -> str:
    congress = f"{rules.city()}{rules.place()}人大常委会代表工作委员会"
    return f"抄送：{congress}，{notices.issuer()}。"


def is_draft(reply) -> bool:
    """Not yet signed by the unit's head: the draft the head signs."""
    return reply.state == Reply.State.DRAFT


def letter_for(reply) -> Letter:
    part = reply.assignment
    suggestion = part.suggestion
    head = unit_full_name(part.unit)
    paragraphs = [line.strip() for line in reply.text.splitlines() if line.strip()]
    if reply.commitment:
        paragraphs.append(f"承诺事项：{reply.commitment}，计划于{date_cn(reply.commitment_due)}前完成。")
    draft = is_draft(reply)
    session_words = f"{rules.city()}{rules.place()}{suggestion.session.short_name}"
    name = reply.document_number or f"{suggestion.number_label}-{part.unit.name}"
    return Letter(
        letterhead=head,
        document_number=reply.document_number,
        class_mark=f"{reply.result_class}类" if reply.result_class else "",
        signer="" if draft else reply.signer,
        title=f"对{session_words}{suggestion.number_label}建议的答复",
        addressee=addressee(suggestion),
        paragraphs=paragraphs,
        unit=head,
        date=date_cn(reply.signed_at) if reply.signed_at and not draft else "　　年　　月　　日",
        contact=f"联系人：{reply.contact_person}　联系电话：{reply.contact_phone}",
        publication=publication(reply),
        copies=copies_line(),
        is_draft=draft,
        filename=f"答复函-{name}{'-草稿' if draft else ''}.docx",
    )


# --- the Word file -----------------------------------------------------------------------------------------------


def render(letter: Letter) -> bytes:
    doc = Document()
    report_docx._page(doc)
    report_docx._styles(doc)
    doc.core_properties.title = letter.title
    doc.core_properties.author = letter.unit
    doc.core_properties.comments = (
        "草稿：由建议办理系统根据答复生成，经单位负责人签发后方可报送。"
        if letter.is_draft
        else "由建议办理系统根据已签发的答复生成。"
    )
    if letter.is_draft:
        mark = _line(doc, DRAFT_MARK, WD_ALIGN_PARAGRAPH.LEFT)
        mark.runs[0].bold = True
        mark.runs[0].font.color.rgb = GREY
    notices_docx._issuer(doc, letter.letterhead)
    for text in (letter.number_line, letter.signer_line):
        _line(doc, text, WD_ALIGN_PARAGRAPH.RIGHT)
    doc.add_paragraph(letter.title, style="报告标题")
    _line(doc, letter.addressee, WD_ALIGN_PARAGRAPH.LEFT)
    for text in letter.paragraphs:
        doc.add_paragraph(text, style="Body Text")
    doc.add_paragraph(style="Body Text")
    for text in (letter.unit, letter.date):
        paragraph = _line(doc, text, WD_ALIGN_PARAGRAPH.RIGHT)
        paragraph.paragraph_format.right_indent = report_docx.INDENT
    doc.add_paragraph(style="Body Text")
    for text in (letter.contact, letter.publication_line):
        _line(doc, text, WD_ALIGN_PARAGRAPH.LEFT)
    copies = _line(doc, letter.copies, WD_ALIGN_PARAGRAPH.LEFT)
    _rules_around(copies)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _line(doc, text, alignment):
    paragraph = doc.add_paragraph(style="Body Text")
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.alignment = alignment
    paragraph.add_run(text)
    return paragraph


def _rules_around(paragraph):
    """The thin rules of the 版记 (抄送), above and below its line."""
    borders = OxmlElement("w:pBdr")
    for side in ("top", "bottom"):
        edge = OxmlElement(f"w:{side}")
        for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            edge.set(qn(name), value)
        borders.append(edge)
    paragraph._p.get_or_add_pPr().append(borders)


def letter_file(reply) -> tuple[bytes, str]:
    """The letter's bytes and its file name."""
    letter = letter_for(reply)
    return render(letter), letter.filename
