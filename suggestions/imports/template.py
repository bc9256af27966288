"""The import template offered for download: a title row, the header row, one example row, and a sheet of
notes on each column. It reads back through ``read_plan`` like any office's file."""

import io

from .cells import COLUMNS

TEMPLATE_HEADERS = [c.label for c in COLUMNS if c.key not in ("supervising_leader", "remarks")]
# The example row names the demo's people, units and category (fixtures/demo_reference.json) and the number after
# the demo's current session's last (32), so that the template, downloaded and imported as it is with the demo
# loaded, goes in without a problem (tests/test_import_template_demo.py).
TEMPLATE_EXAMPLE = [
    "33",
    "关于加快农村道路提档升级的建议",
    "刘海涛",
    "郭丽萍、闫建军",
    "开元街道代表团",
    "城建交通",
    "部分农村道路路面破损严重，建议纳入年度计划提档升级。",
    "市交通运输局",
    "市财政局",
    "否",
]


def template_workbook() -> bytes:
    """The import template: a title row, the header row and one example row."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "建议清单"
    sheet.append(["人大代表建议清单（导入模板：请从第3行起逐行填写，可删除示例行）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TEMPLATE_HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(TEMPLATE_EXAMPLE)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
    widths = {"标题": 40, "内容": 60, "联名代表": 24, "建议主办单位": 20, "建议协办单位": 24}
    for index, header in enumerate(TEMPLATE_HEADERS, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(header, 12)
        sheet[f"{letter}3"].number_format = "@"
    sheet.freeze_panes = "A3"
    notes = workbook.create_sheet("填写说明")
    for line in (
        ["列名", "说明"],
        ["建议编号", "必填。本届次会议内唯一的正整数，可写作 12 或 第12号。"],
        ["标题", "必填。也可用列名「案由」。"],
        ["领衔代表", "必填。须与系统中的代表姓名一致；重名时请填写「代表团」列。"],
        ["联名代表", "多人用顿号、逗号、分号或空格分隔。"],
        ["类别", "必填。须与系统中的类别名称一致，如 城建交通。"],
        ["建议主办单位", "单位全称或简称。导入时可选择按建议主办、协办单位直接交办。"],
        ["建议协办单位", "可填多个，用顿号等分隔。"],
        ["是否重点", "是 / 否 / √ / 空。"],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
