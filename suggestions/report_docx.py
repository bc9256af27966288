"""The handling report as a Word draft (python-docx), laid out like a Chinese official document.

A4 with the margins of GB/T 9704 (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm); body in 仿宋 三号 (16 pt)
with a two-character first-line indent; the title in 小标宋 (宋体 where it is missing) 二号; 一、 headings in 黑体,
(一) headings in 楷体, key suggestions' lines in bold 仿宋; tables in 仿宋 小四 with a repeated header row; the page
number centred in the footer. Headings use Word's Heading 1/2/3 styles so the navigation pane shows the outline.
Paragraphs the office must write are highlighted in yellow; wording kept from the seed report that no record
proves (a ``Paragraph``'s ``check``) in green. A note under the title says so, to be deleted before printing.
"""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .report import Heading, Paragraph, Report, Table

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

LATIN = "Times New Roman"
BODY_FONT = "仿宋"
TITLE_FONT = "方正小标宋简体"  # Word falls back to 宋体 where it is not installed
HEADING_FONTS = {1: "黑体", 2: "楷体", 3: "仿宋"}
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(12)  # 小四
LINE = Pt(28)  # fixed line spacing: about 22 lines a page
INDENT = Pt(32)  # two characters of 三号
LEGEND = (
    "说明：本稿由系统根据办理数据生成，数字均来自系统记录。黄色底纹处请办公室补充撰写；绿色底纹处沿用往年报告的表述，"
    "系统记录无法印证，请办公室核实修改。印发前请删除本说明和底纹。"
)
ALIGN = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def render(report: Report) -> bytes:
    doc = Document()
    _page(doc)
    _styles(doc)
    doc.core_properties.title = report.title
    doc.core_properties.author = "建议办理系统"
    doc.core_properties.comments = "草稿：由系统根据办理数据生成，请办公室修改完善。"

    doc.add_paragraph(report.title, style="报告标题")
    legend = doc.add_paragraph(style="表注")
    legend.add_run(LEGEND).font.highlight_color = WD_COLOR_INDEX.BRIGHT_GREEN
    for block in report.blocks:
        if isinstance(block, Heading):
            doc.add_paragraph(block.text, style=f"Heading {block.level}")
        elif isinstance(block, Paragraph):
            _paragraph(doc, block)
        elif isinstance(block, Table):
            _table(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(doc):
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    page = OxmlElement("w:fldSimple")
    page.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    page.append(run)
    footer._p.append(page)
    footer.add_run(" —")
    for r in footer.runs:
        _fonts(r._element, LATIN, "宋体")
        r.font.size = Pt(14)


def _fonts(element, latin, east_asia):
    """Set the Latin and East Asian fonts of a style or run, dropping the theme fonts that would override them."""
    rpr = element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style(style, east_asia, size, *, bold=False, latin=LATIN):
    _fonts(style.element, latin, east_asia)
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    return style


def _styles(doc):
    styles = doc.styles
    normal = _style(styles["Normal"], BODY_FONT, BODY_SIZE)
    normal.paragraph_format.widow_control = True

    body = _style(styles["Body Text"], BODY_FONT, BODY_SIZE)
    body.paragraph_format.first_line_indent = INDENT
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    title = styles.add_style("报告标题", WD_STYLE_TYPE.PARAGRAPH)
    title.base_style = normal
    _style(title, TITLE_FONT, TITLE_SIZE)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(28)

    for level, font in HEADING_FONTS.items():
        heading = _style(styles[f"Heading {level}"], font, BODY_SIZE, bold=level == 3)
        heading.paragraph_format.first_line_indent = INDENT
        heading.paragraph_format.keep_with_next = True
        if level == 1:
            heading.paragraph_format.space_before = Pt(6)

    table_text = styles.add_style("表格文字", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    _style(table_text, BODY_FONT, TABLE_SIZE)
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    note = styles.add_style("表注", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    _style(note, BODY_FONT, TABLE_SIZE)
    note.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    note.paragraph_format.space_before = Pt(3)
    note.paragraph_format.space_after = Pt(6)


def _paragraph(doc, block: Paragraph):
    paragraph = doc.add_paragraph(style="Body Text")
    paragraph.alignment = ALIGN.get(block.align, WD_ALIGN_PARAGRAPH.JUSTIFY)
    if block.align == "right":
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.right_indent = INDENT
    for text, checked in segments(block.text, block.check):
        run = paragraph.add_run(text)
        if block.placeholder:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif checked:
            run.font.highlight_color = WD_COLOR_INDEX.BRIGHT_GREEN


def segments(text, phrases):
    """``text`` cut into (part, is one of ``phrases``) pieces, in order, so each phrase gets its own run."""
    marks = []
    for phrase in phrases:
        start = text.find(phrase) if phrase else -1
        if start >= 0:
            marks.append((start, start + len(phrase)))
    pieces, at = [], 0
    for start, end in sorted(marks):
        start = max(start, at)
        if start >= end:
            continue
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text) or not pieces:
        pieces.append((text[at:], False))
    return pieces


def _table(doc, block: Table):
    table = doc.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, row in enumerate([block.header, *block.rows]):
        cells = table.rows[i].cells
        for j, value in enumerate(row):
            cell = cells[j]
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles["表格文字"]
            if j == 0 and i > 0 and len(block.header) > 1 and not value.isdigit():
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
            run = paragraph.add_run(value)
            if i == 0:
                run.bold = True
    _repeat_header(table.rows[0])
    if block.note:
        doc.add_paragraph(block.note, style="表注")
    else:
        doc.add_paragraph(style="表注")


def _repeat_header(row):
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
