"""导入: the congress office's Excel list goes in without retyping a line, or nothing goes in and the office is told
which row and which column to fix. Every workbook here is a real .xlsx written with openpyxl."""

import io
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suggestions import imports
from suggestions.models import Assignment, Delegation, Deputy, Event, Suggestion
from tests.conftest import AT, make_user

pytestmark = pytest.mark.django_db

HEADER = [
    "建议编号",
    "标题",
    "领衔代表",
    "联名代表",
    "代表团",
    "类别",
    "内容",
    "建议主办单位",
    "建议协办单位",
    "是否重点",
]


def workbook(rows, *, title=None, merge=None, sheet="建议清单"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.merge_cells(merge or "A1:J1")
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write(tmp_path, rows, name="list.xlsx", **kwargs):
    path = tmp_path / name
    path.write_bytes(workbook(rows, **kwargs))
    return path


def row(
    number,
    title="关于加强农村道路建设的建议",
    lead="赵明远",
    joint="",
    delegation="",
    category="城建交通",
    **extra,
):
    return [
        number,
        title,
        lead,
        joint,
        delegation,
        category,
        extra.get("content", "建议内容"),
        extra.get("lead_unit", ""),
        extra.get("co_units", ""),
        extra.get("is_key", ""),
    ]


def counts():
    return Suggestion.objects.count(), Event.objects.count(), Assignment.objects.count()


@pytest.fixture
def reference(session, categories, units, deputies, office):
    return {"session": session, "categories": categories, "units": units, "deputies": deputies}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def messages_of(plan):
    return [str(p) for p in plan.all_problems]


# --- reading a real office list -------------------------------------------------------------------------------


def happy_rows():
    """A title row merged across the table, an empty row, a header written with stray and full-width spaces,
    numbers as full-width text, 第N号, floats; joint deputies separated in every usual way."""
    header = [
        "建议 编号",
        "标\n题",
        "领衔代表　",
        "联名代表",
        "代表团",
        "类　别",
        "内容",
        "建议主办单位",
        "建议协办单位",
        "是否重点",
    ]
    return [
        [],
        header,
        row(
            "１２",
            title="关于加强\n农村道路建设的建议",
            lead=" 赵明远 ",
            joint="钱晓梅、孙志强",
            lead_unit="交通局",
            co_units="市财政局",
            is_key="√",
        ),
        [],
        row(
            "第13号", lead="赵　明远", joint="钱晓梅，孙志强", category=" 城建交通 ", lead_unit="市交通运输局"
        ),
        row(14.0, joint="钱晓梅 孙志强", category="教科文卫", content="第一点\n第二点"),
        row("15", joint="钱晓梅；孙志强", category="社会民生", is_key="否"),
        [None] * 10,
    ]


def test_a_list_with_a_title_row_and_odd_spacing_is_read_row_by_row(tmp_path, reference):
    path = write(tmp_path, happy_rows(), title="霍州市第八届人大五次会议代表建议清单")
    plan = imports.read_plan(path, session=reference["session"])
    assert plan.header_row == 3
    assert plan.errors == []
    assert [r.number for r in plan.rows] == [12, 13, 14, 15]
    assert [r.row for r in plan.rows] == [4, 6, 7, 8]
    first = plan.rows[0]
    assert first.title == "关于加强农村道路建设的建议"
    assert first.lead_deputy == reference["deputies"]["lead"]
    assert first.lead_unit == reference["units"]["transport"]
    assert first.co_units == [reference["units"]["finance"]]
    for r in plan.rows:
        assert r.joint_deputies == [reference["deputies"]["joint"], reference["deputies"]["other"]]


def test_importing_registers_every_row_with_its_deputies_category_and_event(tmp_path, reference, office):
    path = write(tmp_path, happy_rows(), title="建议清单")
    plan = imports.read_plan(path, session=reference["session"])
    result = imports.run_import(plan, user=office, at=AT)
    assert len(result.registered) == 4 and result.assigned == 0
    s12 = Suggestion.objects.get(session=reference["session"], number=12)
    assert s12.state == Suggestion.State.REGISTERED
    assert s12.lead_deputy == reference["deputies"]["lead"]
    assert set(s12.joint_deputies.all()) == {reference["deputies"]["joint"], reference["deputies"]["other"]}
    assert s12.category == reference["categories"]["城建交通"]
    assert s12.delegation == reference["deputies"]["lead"].delegation
    assert s12.created_by == office
    assert s12.is_key and s12.supervising_leader == reference["units"]["transport"].leader
    assert "建议主办单位：交通局" in s12.remarks and "建议协办单位：市财政局" in s12.remarks
    assert Suggestion.objects.get(number=14).content == "第一点\n第二点"
    assert Suggestion.objects.get(number=15).category.name == "社会民生"
    events = Event.objects.filter(suggestion__session=reference["session"])
    assert sorted(events.values_list("suggestion__number", "action", "actor")) == [
        (n, "register", office.pk) for n in (12, 13, 14, 15)
    ]
    assert Assignment.objects.count() == 0


def test_with_the_option_the_proposed_units_are_assigned_right_away(tmp_path, reference, office):
    path = write(tmp_path, happy_rows())
    plan = imports.read_plan(path, session=reference["session"])
    result = imports.run_import(plan, user=office, assign=True, at=AT)
    assert result.assigned == 2
    s12 = Suggestion.objects.get(number=12)
    assert s12.state == Suggestion.State.ASSIGNED
    assert s12.lead_unit == reference["units"]["transport"]
    assert {(a.unit.name, a.role) for a in s12.assignments.all()} == {
        ("市交通运输局", "lead"),
        ("市财政局", "co"),
    }
    assert list(s12.events.values_list("action", flat=True)) == ["register", "assign"]
    assert s12.remarks == ""  # assigned as proposed: nothing to remember
    assert Suggestion.objects.get(number=13).state == Suggestion.State.ASSIGNED
    unassigned = Suggestion.objects.get(number=14)
    assert unassigned.state == Suggestion.State.REGISTERED and not unassigned.assignments.exists()


def test_assigning_an_import_does_not_ask_again_whether_its_units_exist(tmp_path, reference, office):
    """The units and suggestions the import matched were read from the database: assigning a 5,000-row list
    asked for each again, per part, before saving it (the foreign keys stay checked by the database)."""
    plan = imports.read_plan(write(tmp_path, happy_rows()), session=reference["session"])
    with CaptureQueriesContext(connection) as queries:
        result = imports.run_import(plan, user=office, assign=True, at=AT)
    assert result.assigned == 2 and Assignment.objects.filter(suggestion__number=12).count() == 2
    asked = [q["sql"] for q in queries if q["sql"].startswith("SELECT 1") and "handlingunit" in q["sql"]]
    assert asked == []


def test_unmatched_joint_deputies_and_units_are_warnings_and_left_out(tmp_path, reference, office):
    path = write(
        tmp_path,
        [HEADER, row(1, joint="钱晓梅、李不存在", lead_unit="市不存在局", co_units="财政局、市气象局")],
    )
    plan = imports.read_plan(path, session=reference["session"])
    assert plan.errors == []
    warnings = messages_of(plan)
    assert "第2行「联名代表」：找不到代表“李不存在”，该联名代表未导入" in warnings
    assert any(w.startswith("第2行「建议主办单位」：找不到承办单位“市不存在局”") for w in warnings)
    assert any(w.startswith("第2行「建议协办单位」：找不到承办单位“市气象局”") for w in warnings)
    imports.run_import(plan, user=office, assign=True, at=AT)
    s = Suggestion.objects.get(number=1)
    assert s.deputies == [reference["deputies"]["lead"], reference["deputies"]["joint"]]
    assert s.state == Suggestion.State.REGISTERED  # no lead unit: registered only
    assert "建议主办单位：市不存在局" in s.remarks


@pytest.mark.parametrize(
    ("written", "unit"),
    [
        ("市交通运输局", "transport"),
        ("交通局", "transport"),  # the short name
        ("交通运输局", "transport"),  # contained in the full name
        ("霍州市财政局", "finance"),  # contains the full name
        ("住建局", "housing"),
        ("市卫生健康和体育局 ", "health"),
    ],
)
def test_units_are_matched_by_name_short_name_or_unique_containment(reference, written, unit):
    assert imports.Directory().unit(written) == (reference["units"][unit], None)


def test_an_ambiguous_or_unknown_unit_is_not_guessed(reference):
    unit, why = imports.Directory().unit("局")
    assert unit is None and "不能确定" in why
    assert imports.Directory().unit("市气象局") == (None, "找不到承办单位“市气象局”")


def test_deputies_with_the_same_name_are_told_apart_by_delegation(tmp_path, reference, office):
    other = Delegation.objects.create(name="大张镇代表团")
    namesake = Deputy.objects.create(name="赵明远", delegation=other)
    path = write(tmp_path, [HEADER, row(1), row(2, delegation="大张镇"), row(3, delegation="大张镇代表团")])
    plan = imports.read_plan(path, session=reference["session"])
    assert [str(p) for p in plan.errors] == [
        "第2行「领衔代表」：代表“赵明远”有2人重名（开元街道代表团、大张镇代表团），请在「代表团」列注明所在代表团"
    ]
    assert plan.rows[1].lead_deputy == namesake == plan.rows[2].lead_deputy


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (12, 12),
        (12.0, 12),
        ("12", 12),
        ("１２", 12),
        ("第12号", 12),
        ("第 12 号", 12),
        ("12.0", 12),
        ("0012", 12),
    ],
)
def test_numbers_are_read_however_they_were_stored(value, number):
    assert imports.parse_number(value) == number


@pytest.mark.parametrize("value", ["", "abc", 0, -3, 12.5, "12-1", True])
def test_a_number_that_is_not_a_positive_integer_is_refused(value):
    assert imports.parse_number(value) is None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("钱晓梅、孙志强", ["钱晓梅", "孙志强"]),
        ("钱晓梅，孙志强；李华", ["钱晓梅", "孙志强", "李华"]),
        ("钱晓梅　孙志强", ["钱晓梅", "孙志强"]),
        ("王  伟、李 强", ["王伟", "李强"]),  # two-character names padded with a space
        ("钱晓梅\n孙志强、钱晓梅", ["钱晓梅", "孙志强"]),
    ],
)
def test_joint_deputies_are_split_on_every_usual_separator(text, names):
    assert imports.split_names(text) == names


def test_the_export_style_header_with_a_running_number_prefers_the_suggestion_number(tmp_path, reference):
    rows = [
        [
            "序号",
            "建议编号",
            "案由",
            "领衔代表",
            "联名代表",
            "代表团",
            "类别",
            "主办单位",
            "协办单位",
            "办理状态",
        ],
        [
            1,
            7,
            "关于加强河道治理的建议",
            "赵明远",
            "钱晓梅",
            "开元街道代表团",
            "农林水利",
            "市财政局",
            "",
            "已登记",
        ],
    ]
    plan = imports.read_plan(write(tmp_path, rows, title="建议办理情况汇总表"), session=reference["session"])
    assert plan.errors == [] and plan.warnings == []
    assert plan.rows[0].number == 7
    assert plan.rows[0].lead_unit == reference["units"]["finance"]


def test_a_running_number_alone_is_used_with_a_warning(tmp_path, reference):
    rows = [["序号", "案由", "领衔代表", "类别"], [3, "关于加强河道治理的建议", "赵明远", "农林水利"]]
    plan = imports.read_plan(write(tmp_path, rows), session=reference["session"])
    assert plan.rows[0].number == 3
    assert [str(w) for w in plan.warnings] == [
        "第1行「序号」：文件没有「建议编号」列，以「序号」作为建议编号。"
    ]


def test_a_total_line_under_the_table_is_skipped(tmp_path, reference):
    rows = [HEADER, row(1), [None, "合计：1件"]]
    plan = imports.read_plan(write(tmp_path, rows), session=reference["session"])
    assert plan.ok and len(plan.rows) == 1
    assert [str(w) for w in plan.warnings] == ["第3行：“合计：1件”不是一条建议，已跳过"]


# --- bad files: a clear message, nothing written --------------------------------------------------------------


def damaged_xlsx():
    data = workbook([HEADER, row(1)])
    return data[: len(data) // 2]


def not_a_workbook_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "你好")
    return buffer.getvalue()


BAD_FILES = {
    "text": ("建议编号，标题\n1，关于\n".encode(), "文件不是Excel（.xlsx）工作簿"),
    "pdf renamed": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "文件不是Excel（.xlsx）工作簿"),
    "old xls": (imports.XLS_SIGNATURE + b"\x00" * 100, "旧版Excel（.xls）"),
    "damaged zip": (damaged_xlsx(), "文件已损坏"),
    "zip not a workbook": (not_a_workbook_zip(), "不是有效的Excel（.xlsx）工作簿"),
    "empty file": (b"", "上传的文件是空的"),
    "empty workbook": (workbook([]), "工作簿是空的"),
    "no header": (workbook([["随便写的", "内容"], ["a", "b"]]), "找不到表头"),
    "missing columns": (
        workbook([["人大代表建议清单"], ["编号", "联名代表", "领衔代表"], [1, "", "赵明远"]]),
        "第2行：表头缺少必需的列：「标题/案由」、「类别」。",
    ),
    "header only": (workbook([HEADER]), "第1行：表头下面没有任何建议。"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_written(tmp_path, reference, office, case):
    data, message = BAD_FILES[case]
    before = counts()
    path = tmp_path / "list.xlsx"
    path.write_bytes(data)
    plan = imports.read_plan(path, session=reference["session"])
    assert not plan.ok and plan.rows == []
    assert message in str(plan.errors[0])
    with pytest.raises(imports.ImportFailed):
        imports.run_import(plan, user=office)
    assert counts() == before


def test_duplicate_numbers_in_the_file_name_both_rows(tmp_path, reference, office):
    rows = [HEADER, row(11), row(12), row(13), row("第12号")]
    plan = imports.read_plan(write(tmp_path, rows), session=reference["session"])
    assert [str(p) for p in plan.errors] == ["第5行「建议编号」：12号与第3行重复"]
    with pytest.raises(imports.ImportFailed):
        imports.run_import(plan, user=office)
    assert counts() == (0, 0, 0)


def test_row_errors_name_the_excel_row_and_the_column_as_written(tmp_path, reference, office):
    rows = [
        ["建议清单"],
        ["编号", "案由", "领衔代表", "类别"],
        [1, "关于一的建议", "赵明远", "城建交通"],
        [2, "关于二的建议", "赵明远", "城建交通"],
        ["", "关于三的建议", "赵明远", "城建交通"],
        ["x7", "关于四的建议", "赵明远", "城建交通"],
        [5, "关于五的建议", "赵无名", "城建"],
        [6, "", "", "城建交通"],
    ]
    plan = imports.read_plan(write(tmp_path, rows), session=reference["session"])
    assert [str(p) for p in plan.errors] == [
        "第5行「编号」：没有填写建议编号",
        "第6行「编号」：“x7”不是有效的建议编号（应为正整数，如12或第12号）",
        "第7行「领衔代表」：找不到代表“赵无名”",
        "第7行「类别」：找不到类别“城建”（现有类别：城建交通、农林水利、教科文卫、社会民生、经济环保）",
        "第8行「案由」：没有填写标题",
        "第8行「领衔代表」：没有填写领衔代表",
    ]
    assert not plan.ok


def test_numbers_already_registered_in_the_session_are_errors(tmp_path, reference, registered, office):
    plan = imports.read_plan(write(tmp_path, [HEADER, row(2), row(1)]), session=reference["session"])
    assert [str(p) for p in plan.errors] == ["第3行「建议编号」：第八届人民代表大会第五次会议已有第1号建议"]
    before = counts()
    with pytest.raises(imports.ImportFailed):
        imports.run_import(plan, user=office)
    assert counts() == before


def test_a_row_refused_while_writing_rolls_back_the_whole_import(
    tmp_path, reference, office, deputies, categories
):
    plan = imports.read_plan(write(tmp_path, [HEADER, row(1), row(2), row(3)]), session=reference["session"])
    assert plan.ok
    from suggestions import workflow

    workflow.register(  # someone registers number 3 between the preview and the confirmation
        user=office, session=reference["session"], number=3, title="先登记的", lead_deputy=deputies["lead"],
        category=categories["城建交通"],
    )  # fmt: skip
    before = counts()
    with pytest.raises(imports.ImportFailed) as caught:
        imports.run_import(plan, user=office)
    assert [str(p) for p in caught.value.problems] == [
        "第4行「建议编号」：第八届人民代表大会第五次会议已有第3号建议"
    ]
    assert counts() == before


def test_an_assignment_refused_halfway_rolls_back_every_registration(
    tmp_path, reference, office, monkeypatch
):
    from suggestions import workflow

    plan = imports.read_plan(write(tmp_path, happy_rows()), session=reference["session"])
    real_perform, calls = workflow.perform, []

    def perform(name, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise workflow.WorkflowError("办理期限最长6个月。", field="months")
        return real_perform(name, **kwargs)

    monkeypatch.setattr(workflow, "perform", perform)
    with pytest.raises(imports.ImportFailed) as caught:
        imports.run_import(plan, user=office, assign=True)
    assert [str(p) for p in caught.value.problems] == ["第5行「建议主办单位」：办理期限最长6个月。"]
    assert counts() == (0, 0, 0)


def test_an_imported_suggestion_has_the_same_registration_event_as_one_typed_in(
    tmp_path, reference, office, registered
):
    plan = imports.read_plan(write(tmp_path, [HEADER, row(2, joint="钱晓梅")]), session=reference["session"])
    (imported,) = imports.run_import(plan, user=office, at=AT).registered

    def described(suggestion):
        event = suggestion.events.get()
        return (event.action, event.label, event.actor, event.actor_name, event.from_state, event.to_state,
                event.note.replace(suggestion.number_label, "N"), event.created_at, event.assignment)  # fmt: skip

    assert described(imported) == described(registered)
    imported.refresh_from_db()
    fields = ("state", "delegation", "created_by", "created_at", "round", "source", "lead_unit", "leader")
    assert [getattr(imported, f) for f in fields] == [getattr(registered, f) for f in fields]
    assert imported.deputies == registered.deputies


# --- the pages ------------------------------------------------------------------------------------------------


def upload(client, session, data, name="清单.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("suggestions:import_upload"),
        {"session": session.pk, "file": SimpleUploadedFile(name, data)},
    )


def stored_files(media):
    folder = media / "imports"
    return sorted(folder.glob("*")) if folder.exists() else []


def test_upload_preview_confirm_imports_and_goes_to_the_session_list(client, reference, office, media):
    client.force_login(office)
    rows = happy_rows()
    rows[4] = row("第13号", joint="钱晓梅、李不存在", category="城建交通")
    response = upload(client, reference["session"], workbook(rows, title="清单"))
    assert response.status_code == 302 and response["Location"] == reverse("suggestions:import_preview")
    assert len(stored_files(media)) == 1

    page = client.get(reverse("suggestions:import_preview"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "共 <strong>4</strong> 行建议" in html
    assert "第6行「联名代表」：找不到代表“李不存在”，该联名代表未导入" in html
    assert "关于加强农村道路建设的建议" in html and "钱晓梅、孙志强" in html
    assert "按建议主办、协办单位直接交办" in html
    token = page.context["token"]

    response = client.post(reverse("suggestions:import_confirm"), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("suggestions:list") + f"?session={reference['session'].pk}"
    assert Suggestion.objects.filter(session=reference["session"]).count() == 4
    assert Assignment.objects.count() == 0
    assert stored_files(media) == []
    listing = client.get(response["Location"])
    assert "已导入4件建议" in listing.content.decode()


def test_the_preview_names_the_suggestion_already_on_record_each_row_is_like(
    client, reference, office, registered
):
    """反复提、多人提: the office sees, before confirming, that a row raises a matter already on record."""
    client.force_login(office)
    rows = [
        HEADER,
        row(12, title="关于农村道路提档升级改造的建议", content="农村道路路面破损严重，建议提档升级。"),
    ]
    rows.append(row(13, title="关于增加城区公共厕所的建议", content="城区公共厕所太少。"))
    upload(client, reference["session"], workbook(rows))
    html = client.get(reverse("suggestions:import_preview")).content.decode()
    assert html.count("历次相似：") == 1
    assert f'历次相似：<a href="{reverse("suggestions:detail", args=[registered.pk])}">' in html
    assert "《关于农村道路提档升级的建议》" in html


def test_confirming_with_the_option_assigns_the_proposed_units(client, reference, office):
    client.force_login(office)
    upload(client, reference["session"], workbook(happy_rows()))
    token = client.get(reverse("suggestions:import_preview")).context["token"]
    response = client.post(reverse("suggestions:import_confirm"), {"token": token, "assign": "1"})
    assert response.status_code == 302
    assert Suggestion.objects.filter(state=Suggestion.State.ASSIGNED).count() == 2
    listing = client.get(response["Location"]).content.decode()
    assert "已导入4件建议，其中2件已按建议主办、协办单位交办" in listing


def test_a_preview_with_errors_shows_them_and_offers_no_confirmation(client, reference, office, media):
    client.force_login(office)
    upload(client, reference["session"], workbook([HEADER, row(12), row(13, category="城建"), row(12)]))
    page = client.get(reverse("suggestions:import_preview"))
    html = page.content.decode()
    assert "有 2 个错误，不能导入" in html
    assert "第3行「类别」：找不到类别“城建”" in html
    assert "第4行「建议编号」：12号与第2行重复" in html
    assert 'id="import-confirm"' not in html
    response = client.post(reverse("suggestions:import_confirm"), {"token": page.context["token"]})
    assert response.status_code == 400
    assert "导入未完成，没有写入任何数据" in response.content.decode()
    assert counts() == (0, 0, 0)
    assert len(stored_files(media)) == 1  # kept: the office may look again, or upload a corrected file


def test_an_unreadable_upload_is_refused_on_the_upload_page_and_not_kept(client, reference, office, media):
    client.force_login(office)
    response = upload(client, reference["session"], b"%PDF-1.4 not a workbook", name="清单.xlsx")
    assert response.status_code == 400
    assert "文件不是Excel（.xlsx）工作簿" in response.content.decode()
    response = upload(
        client, reference["session"], workbook([["编号", "标题", "领衔代表"], [1, "x", "赵明远"]])
    )
    assert "第1行：表头缺少必需的列：「类别」。" in response.content.decode()
    assert stored_files(media) == []
    assert client.session.get("suggestion_import") is None


def test_a_file_over_the_size_limit_is_refused(client, reference, office, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(office)
    response = upload(client, reference["session"], workbook([HEADER, row(1, content="很长" * 5000)]))
    assert response.status_code == 400
    assert "文件不能超过" in response.content.decode()


def test_confirming_without_a_previewed_file_says_so(client, reference, office):
    client.force_login(office)
    response = client.post(reverse("suggestions:import_confirm"), {"token": "x" * 32}, follow=True)
    assert "没有找到已预览的导入文件" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("suggestions:import_upload")
    assert client.get(reverse("suggestions:import_preview")).status_code == 302
    assert counts() == (0, 0, 0)


def test_a_stale_preview_cannot_confirm_a_newer_upload(client, reference, office):
    client.force_login(office)
    upload(client, reference["session"], workbook([HEADER, row(1)]))
    old_token = client.get(reverse("suggestions:import_preview")).context["token"]
    upload(client, reference["session"], workbook([HEADER, row(2)]))
    response = client.post(reverse("suggestions:import_confirm"), {"token": old_token}, follow=True)
    assert "该预览已过期" in response.content.decode()
    assert counts() == (0, 0, 0)


def test_a_deleted_stored_file_is_a_clear_message(client, reference, office, media):
    client.force_login(office)
    upload(client, reference["session"], workbook([HEADER, row(1)]))
    token = client.get(reverse("suggestions:import_preview")).context["token"]
    for path in stored_files(media):
        path.unlink()
    response = client.post(reverse("suggestions:import_confirm"), {"token": token}, follow=True)
    assert "没有找到已预览的导入文件" in response.content.decode()


def test_cancelling_deletes_the_stored_file(client, reference, office, media):
    client.force_login(office)
    upload(client, reference["session"], workbook([HEADER, row(1)]))
    client.post(reverse("suggestions:import_cancel"))
    assert stored_files(media) == []
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("who", ["clerk", "head", "deputy_user", "leader_user", "congress"])
@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "import_upload"),
        ("post", "import_upload"),
        ("get", "import_preview"),
        ("post", "import_confirm"),
        ("post", "import_cancel"),
        ("get", "import_template"),
    ],
)
def test_only_the_office_reaches_the_import_pages(client, request, who, method, name):
    client.force_login(request.getfixturevalue(who))
    response = getattr(client, method)(reverse(f"suggestions:{name}"))
    assert response.status_code == 403


def test_the_upload_page_offers_the_template(client, office, session):
    client.force_login(office)
    html = client.get(reverse("suggestions:import_upload")).content.decode()
    assert reverse("suggestions:import_template") == "/imports/template.xlsx"
    assert 'href="/imports/template.xlsx"' in html and 'enctype="multipart/form-data"' in html


def test_the_template_is_a_real_workbook_that_imports(client, reference, office, tmp_path):
    client.force_login(office)
    response = client.get(reverse("suggestions:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[2]] == imports.TEMPLATE_HEADERS
    assert imports.TEMPLATE_HEADERS[:4] == ["建议编号", "标题", "领衔代表", "联名代表"]
    plan = imports.read_plan(io.BytesIO(response.content), session=reference["session"])
    # the example row names the demo's deputies and units: it imports on the demo (test_import_template_demo.py)
    assert [row.number for row in plan.rows] == [33]
    assert plan.rows[0].lead_unit == reference["units"]["transport"]


# --- the command ----------------------------------------------------------------------------------------------


def test_the_command_imports_and_says_how_many(tmp_path, reference, office, capsys):
    path = write(tmp_path, happy_rows(), title="清单")
    call_command("import_suggestions", str(path), "--session", reference["session"].name)
    assert "已导入4件" in capsys.readouterr().out
    assert Suggestion.objects.count() == 4
    assert set(Event.objects.values_list("actor", flat=True)) == {office.pk}


def test_the_command_assigns_with_the_option_and_the_named_user(tmp_path, reference, office, capsys):
    other = make_user("office2", "office")
    path = write(tmp_path, happy_rows())
    call_command(
        "import_suggestions",
        str(path),
        "--session",
        reference["session"].name,
        "--assign",
        "--user",
        "office2",
    )
    assert "已导入4件，其中2件已交办" in capsys.readouterr().out
    assert set(Event.objects.values_list("actor", flat=True)) == {other.pk}
    assert Assignment.objects.filter(role="lead").count() == 2


def test_the_command_prints_the_problems_and_fails_writing_nothing(tmp_path, reference, office, capsys):
    path = write(tmp_path, [HEADER, row(12), row(13, category="城建"), row(12)])
    with pytest.raises(CommandError) as caught:
        call_command("import_suggestions", str(path), "--session", reference["session"].name)
    assert caught.value.returncode == 1
    err = capsys.readouterr().err
    assert "第3行「类别」：找不到类别“城建”" in err and "第4行「建议编号」：12号与第2行重复" in err
    assert counts() == (0, 0, 0)


def test_the_command_dry_run_writes_nothing(tmp_path, reference, office, capsys):
    path = write(tmp_path, happy_rows())
    call_command("import_suggestions", str(path), "--session", reference["session"].name, "--dry-run")
    assert "试运行：共4行，没有错误" in capsys.readouterr().out
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--session", "第九届人民代表大会第一次会议"], "找不到届次会议"),
        (["--session", "第八届人民代表大会第五次会议", "--user", "nobody"], "找不到启用的用户“nobody”"),
        (["--session", "第八届人民代表大会第五次会议", "--user", "clerk"], "没有导入建议的权限"),
    ],
)
def test_the_command_refuses_a_wrong_session_or_user(tmp_path, reference, clerk, args, message):
    path = write(tmp_path, [HEADER, row(1)])
    with pytest.raises(CommandError, match=message):
        call_command("import_suggestions", str(path), *args)
    assert counts() == (0, 0, 0)


def test_the_command_needs_an_office_user(tmp_path, session, categories, deputies):
    path = write(tmp_path, [HEADER, row(1)])
    with pytest.raises(CommandError, match="没有启用的政府办账号"):
        call_command("import_suggestions", str(path), "--session", session.name)


def test_the_command_refuses_a_file_that_is_not_a_workbook(tmp_path, reference, office, capsys):
    path = tmp_path / "list.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(CommandError):
        call_command("import_suggestions", str(path), "--session", reference["session"].name)
    assert "文件不是Excel（.xlsx）工作簿" in capsys.readouterr().err


# --- round trip: the exported summary goes back in ------------------------------------------------------------


def test_an_exported_summary_imports_into_an_empty_session(
    tmp_path, journey, office, units, leaders, deputies, categories
):
    from suggestions import exports, workflow
    from suggestions.models import CongressSession

    session = journey.s.session
    journey.assign()  # 1: 主办 交通运输局, 协办 财政局; joint 钱晓梅
    key = workflow.register(
        user=office, at=AT, session=session, number=2, title="关于建设社区医院的建议", lead_deputy=deputies["other"],
        joint_deputies=[deputies["lead"], deputies["joint"]], category=categories["教科文卫"], is_key=True,
        supervising_leader=leaders["health"],
    )  # fmt: skip
    workflow.perform("assign", user=office, suggestion=key, at=AT, lead_unit=units["health"])
    workflow.perform(
        "assign", user=office, at=AT, separate_units=[units["transport"], units["housing"]],
        suggestion=workflow.register(
            user=office, at=AT, session=session, number=4, title="关于缓解城区停车难的建议",
            lead_deputy=deputies["joint"], category=categories["城建交通"],
        ),
    )  # fmt: skip
    workflow.register(
        user=office, at=AT, session=session, number=3, title="=SUM(A1)", lead_deputy=deputies["lead"],
        category=categories["教科文卫"], remarks="+86 0357 5620000",
    )  # fmt: skip
    path = tmp_path / "汇总表.xlsx"
    exports.write_summary(Suggestion.objects.filter(session=session).order_by("number"), path)

    empty = CongressSession.objects.create(name="第八届人民代表大会第六次会议", year=2026, term=8, meeting=6)
    plan = imports.read_plan(path, session=empty)
    assert plan.errors == []
    assert (
        [str(w) for w in plan.warnings]
        == [
            "第7行「主办单位」：建议主办单位只能一个，市住房和城乡建设管理局按协办单位处理"  # 分办 has no equivalent
        ]
    )
    imports.run_import(plan, user=office, assign=True, at=AT)

    def described(s):
        return (
            s.number, s.title, s.lead_deputy, sorted(d.pk for d in s.joint_deputies.all()), s.category, s.delegation,
            s.is_key, s.supervising_leader,
        )  # fmt: skip

    before = [described(s) for s in Suggestion.objects.filter(session=session).order_by("number")]
    after = [described(s) for s in Suggestion.objects.filter(session=empty).order_by("number")]
    assert after == before
    assert Suggestion.objects.get(session=empty, number=3).remarks == "+86 0357 5620000"
    assert Suggestion.objects.get(session=empty, number=2).lead_unit == units["health"]
    first = Suggestion.objects.get(session=empty, number=1)
    assert {(a.unit_id, a.role) for a in first.assignments.all()} == {
        (units["transport"].pk, "lead"),
        (units["finance"].pk, "co"),
    }


def test_an_upload_spooled_to_a_temporary_file_is_read_too(client, reference, office, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1  # Django writes the upload to a temporary file
    client.force_login(office)
    response = upload(client, reference["session"], workbook([HEADER, row(1)]))
    assert response.status_code == 302
    token = client.get(reverse("suggestions:import_preview")).context["token"]
    client.post(reverse("suggestions:import_confirm"), {"token": token})
    assert Suggestion.objects.filter(number=1).exists()
