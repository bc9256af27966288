"""The office's notices (``suggestions.notices``) as Word files, laid out like the handling report's draft
(``report_docx``: A4 with the margins of GB/T 9704, 仿宋 三号 body, the title in 小标宋 二号, tables in 仿宋 小四).

Above the title the issuer stands in red, centred, over a red rule (the 版头 of an official document); the
addressee line has no indent; labels in a two-column table are bold; the contact line, the issuer and the date
close the notice, the last two right-aligned.
"""

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from . import report_docx
from .notices import Heading, Notice, Paragraph, Table

DOCX_CONTENT_TYPE = report_docx.DOCX_CONTENT_TYPE
RED = RGBColor(0xC0, 0x00, 0x00)
ISSUER_SIZE = Pt(26)
SMALL_TABLE = Pt(10.5)  # 五号, for the many columns of a unit's list


def render(notice: Notice) -> bytes:
    doc = Document()
    report_docx._page(doc)
    report_docx._styles(doc)
    doc.core_properties.title = notice.title
    doc.core_properties.author = notice.issuer
    doc.core_properties.comments = "由建议办理系统根据交办、督办数据生成。"

    _issuer(doc, notice.issuer)
    doc.add_paragraph(notice.title, style="报告标题")
    if notice.addressee:
        _plain(doc, notice.addressee)
    for block in notice.blocks:
        if isinstance(block, Heading):
            doc.add_paragraph(block.text, style="Heading 1")
        elif isinstance(block, Paragraph):
            paragraph = doc.add_paragraph(style="Body Text")
            if not block.indent:
                paragraph.paragraph_format.first_line_indent = Pt(0)
            run = paragraph.add_run(block.text)
            run.bold = block.bold
        elif isinstance(block, Table):
            _table(doc, block)
    doc.add_paragraph(style="Body Text")
    _plain(doc, notice.contact)
    doc.add_paragraph(style="Body Text")
    for line in (notice.issuer, notice.date):
        paragraph = _plain(doc, line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = report_docx.INDENT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _plain(doc, text):
    paragraph = doc.add_paragraph(style="Body Text")
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    paragraph.add_run(text)
    return paragraph


def _issuer(doc, text):
    paragraph = doc.add_paragraph(style="报告标题")
    run = paragraph.add_run(text)
    run.font.size = ISSUER_SIZE
    run.font.color.rgb = RED
    paragraph.paragraph_format.space_after = Pt(6)
    # the red rule under the issuer: a bottom border on its paragraph
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(name), value)
    borders.append(bottom)
    ppr.append(borders)


def _table(doc, block: Table):
    labelled = block.header is None
    rows = block.rows if labelled else [block.header, *block.rows]
    columns = 2 if labelled else len(block.header)
    table = doc.add_table(rows=len(rows), cols=columns)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [Mm(w) for w in block.widths] if block.widths else ([Mm(38), Mm(118)] if labelled else None)
    for i, row in enumerate(rows):
        cells = table.rows[i].cells
        for j, value in enumerate(row):
            cell = cells[j]
            if widths:
                cell.width = widths[j]
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles["表格文字"]
            run = paragraph.add_run(value)
            if not labelled and len(block.header) > 6:
                run.font.size = SMALL_TABLE
            if labelled:
                run.bold = j == 0
                if j == 1:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
            else:
                run.bold = i == 0
                if i > 0 and block.header[j] in ("案由", "其他承办单位"):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    if not labelled:
        report_docx._repeat_header(table.rows[0])
    doc.add_paragraph(style="表注")
