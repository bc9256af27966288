"""The Excel exports: the 建议办理情况汇总表 of the list's rows, the statistics workbook of the dashboard's
figures, the download views and the ``export_summary`` command, on a small session counted by eye."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from suggestions import exports, statistics, workflow
from suggestions.exports import summary, xlsx
from suggestions.models import Assignment, CongressSession, Suggestion
from tests.conftest import AT
from tests.result_class_helpers import FOUR_CLASS_LABELS

HEADERS = [
    "序号",
    "建议编号",
    "案由",
    "领衔代表",
    "联名代表",
    "代表团",
    "类别",
    "主办单位",
    "协办单位",
    "交办日期",
    "办理期限",
    "答复日期",
    "文号",
    "签发人",
    "答复类别",
    "是否重点",
    "督办领导",
    "沟通方式",
    "代表评价",
    "是否公开",
    "办理状态",
    "超期",
    "备注",
]
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
SESSION = "第八届人民代表大会第五次会议"
FORMULAS = ["=SUM(A1)", "+86 0357 5620000", "-", "@cmd"]


@pytest.fixture
def world(journey, office, clerk, units, leaders, categories, deputies, session):
    """Four suggestions of 八届人大五次会议:

    no  title        category  units                          state          other
    1   农村道路       城建交通    主办 交通运输局, 协办 财政局          closed, public A reply 满意; contact by visit
    2   社区医院       教科文卫    主办 卫生健康和体育局                assigned       key, supervised by 王建国; overdue
    3   =SUM(A1)     教科文卫    -                              registered     remarks "+86 …"
    4   城区停车       城建交通    分办 交通运输局、住房和城乡建设管理局  assigned
    """
    road = journey.s
    journey.assign().sign()
    workflow.perform(
        "log_contact",
        user=clerk,
        suggestion=road,
        assignment=journey.lead,
        at=journey.step(),
        method="visit",
        contacted_on=datetime.date(2025, 3, 4),
        participants="周敏",
        summary="登门听取意见",
    )
    journey.draft().sign_off().submit().accept().rate(3)
    workflow.perform("close", user=office, suggestion=road, at=journey.step())
    workflow.perform("publish", user=office, suggestion=road, at=journey.step())

    def register(number, title, category, **fields):
        return workflow.register(
            user=office,
            at=AT,
            session=session,
            number=number,
            title=title,
            lead_deputy=deputies["other"],
            category=categories[category],
            **fields,
        )

    hospital = register(2, "关于改善社区医院就医环境的建议", "教科文卫")
    workflow.perform(
        "assign",
        user=office,
        suggestion=hospital,
        at=AT,
        lead_unit=units["health"],
        is_key=True,
        supervising_leader=leaders["traffic"],
    )
    formula = register(3, FORMULAS[0], "教科文卫", remarks=FORMULAS[1])
    parking = register(4, "关于缓解城区停车难的建议", "城建交通")
    workflow.perform(
        "assign",
        user=office,
        suggestion=parking,
        at=AT,
        separate_units=[units["transport"], units["housing"]],
    )
    return {"road": road, "hospital": hospital, "formula": formula, "parking": parking}


def download(client, user, name, params=None):
    client.force_login(user)
    response = client.get(reverse(f"suggestions:{name}"), params or {})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == exports.CONTENT_TYPE
    content = b"".join(response.streaming_content)  # the test client closes the response at the end
    return response, openpyxl.load_workbook(io.BytesIO(content))


def data_rows(ws):
    """The rows under the header, keyed by 建议编号."""
    rows = list(ws.iter_rows(min_row=4))
    return {row[1].value: {h: cell for h, cell in zip(HEADERS, row, strict=True)} for row in rows}


def values(row):
    return {h: cell.value for h, cell in row.items()}


# --- the summary workbook ------------------------------------------------------------------------------------


def test_summary_has_title_date_frozen_header_and_one_row_per_suggestion(client, office, world):
    response, workbook = download(client, office, "export_summary")
    ws = workbook.active
    assert ws.title == "建议办理情况汇总表"
    assert ws["A1"].value == f"{SESSION} 建议办理情况汇总表"
    today = timezone.localdate()
    assert ws["A2"].value == f"导出日期：{today.year}年{today.month}月{today.day}日"
    assert [c.value for c in ws[3]] == HEADERS
    assert ws.freeze_panes == "A4"
    rows = data_rows(ws)
    assert list(rows) == ["第1号", "第2号", "第3号", "第4号"]
    assert [r["序号"].value for r in rows.values()] == [1, 2, 3, 4]

    # printed as a table: borders on the written cells, the grid printed for the empty ones, the header on
    # every page, A4 landscape one page wide
    assert ws.print_options.gridLines and ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert all(c.border.left.style == "thin" for c in ws[4] if c.value not in (None, ""))
    assert ws["A3"].font.b and ws["A3"].fill.fgColor.rgb.endswith("DDEBF7")
    assert ws.auto_filter.ref == f"A3:W{3 + len(rows)}"
    assert "A1:W1" in {str(r) for r in ws.merged_cells.ranges}

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition.lower()
    assert "%E5%BB%BA%E8%AE%AE" in disposition  # 建议…, encoded as RFC 5987 asks


def test_summary_row_holds_units_dates_reply_rating_and_publicity(client, office, world):
    _, workbook = download(client, office, "export_summary")
    road = data_rows(workbook.active)["第1号"]
    reply = Assignment.objects.get(suggestion=world["road"], role="lead").replies.get()
    assert values(road) | {"交办日期": None, "办理期限": None, "答复日期": None} == {
        "序号": 1,
        "建议编号": "第1号",
        "案由": "关于农村道路提档升级的建议",
        "领衔代表": "赵明远",
        "联名代表": "钱晓梅",
        "代表团": "开元街道代表团",
        "类别": "城建交通",
        "主办单位": "市交通运输局",
        "协办单位": "市财政局",
        "交办日期": None,
        "办理期限": None,
        "答复日期": None,
        "文号": "霍交函〔2025〕12号",
        "签发人": reply.signer,
        "答复类别": "A",
        "是否重点": "否",
        "督办领导": None,
        "沟通方式": "登门走访",
        "代表评价": "满意",
        "是否公开": "公开",
        "办理状态": "已办结",
        "超期": "否",
        "备注": None,
    }
    assert reply.signer
    for header, day in [
        ("交办日期", datetime.date(2025, 3, 3)),
        ("办理期限", world["road"].deadline),
        ("答复日期", timezone.localdate(reply.reviewed_at)),
    ]:
        cell = road[header]
        assert cell.data_type == "d" and cell.is_date, header
        assert cell.value == datetime.datetime.combine(day, datetime.time()), header
        assert cell.number_format == DATE_FORMAT, header


def test_summary_lists_separate_units_as_lead_and_shows_key_overdue_and_unrated(client, office, world):
    _, workbook = download(client, office, "export_summary")
    rows = {number: values(row) for number, row in data_rows(workbook.active).items()}
    assert rows["第4号"]["主办单位"] == "市交通运输局、市住房和城乡建设管理局"
    assert rows["第4号"]["协办单位"] is None
    hospital = rows["第2号"]
    assert (hospital["是否重点"], hospital["督办领导"]) == ("是", "副市长王建国")
    assert (hospital["办理状态"], hospital["超期"]) == ("已交办", "是")  # its 2025 deadline has passed
    assert (hospital["代表评价"], hospital["是否公开"], hospital["文号"]) == (None, None, None)
    assert rows["第3号"]["办理状态"] == "已登记"


def test_re_handled_suggestion_shows_its_last_reply_until_the_new_one(client, office, journey):
    journey.assign(co=False).reply("B").rate(1)  # unsatisfied: back to the lead unit for a second round
    _, workbook = download(client, office, "export_summary")
    row = values(data_rows(workbook.active)["第1号"])
    assert (row["办理状态"], row["文号"], row["答复类别"]) == ("重新办理", "霍交函〔2025〕12号", "B")
    # the first round's 不满意 stays in the row while the second round runs (it was empty)
    assert (row["代表评价"], row["备注"], row["主办单位"]) == ("第1轮：不满意", "第2轮办理", "市交通运输局")


def test_summary_widths_fit_chinese_text(client, office, world):
    _, workbook = download(client, office, "export_summary")
    ws = workbook.active
    widths = {
        h: ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i, h in enumerate(HEADERS, 1)
    }
    for header, width in widths.items():
        assert width >= xlsx.display_width(header) + 2, header  # a CJK character counts two
    assert widths["案由"] >= 40
    assert widths["代表团"] >= xlsx.display_width("开元街道代表团")


def test_formula_looking_text_is_written_as_text(client, office, world, session, categories, deputies):
    for number, text in enumerate(FORMULAS[1:], start=5):
        workflow.register(
            user=office,
            at=AT,
            session=session,
            number=number,
            title=text,
            lead_deputy=deputies["lead"],
            category=categories["社会民生"],
            remarks=text,
        )
    _, workbook = download(client, office, "export_summary")
    rows = data_rows(workbook.active)
    cells = [rows["第3号"]["案由"], rows["第3号"]["备注"]]
    cells += [rows[f"第{n}号"][h] for n in (5, 6, 7) for h in ("案由", "备注")]
    assert [c.value for c in cells] == [*FORMULAS[:2], *(t for t in FORMULAS[1:] for _ in range(2))]
    assert {c.data_type for c in cells} == {"s"}


def test_control_characters_are_dropped_not_fatal(tmp_path):
    sheet = xlsx.Sheet(
        name="t", title="标题\x07", subtitle="", columns=[xlsx.Column("案由")], rows=[["道路\x0b改造"]]
    )
    xlsx.write_workbook([sheet], tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert (ws["A1"].value, ws["A4"].value) == ("标题", "道路改造")


def test_the_streamed_sheet_drops_control_characters_keeps_line_breaks_and_writes_empty_text_as_nothing(
    tmp_path,
):
    sheet = xlsx.Sheet(
        name="t",
        title="标题\x07",
        subtitle="导出日期",
        columns=[
            xlsx.Column("序号", kind="int"),
            xlsx.Column("案由", kind="wrap"),
            xlsx.Column("日期", kind="date"),
        ],
        rows=[[1, "道路\x0b改造\n第二行", datetime.date(2025, 3, 3)], [2, "", None]],
        typed=True,
    )
    assert xlsx.write_workbook([sheet], tmp_path / "t.xlsx") == [2]
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert ws["A1"].value == "标题" and ws["B4"].value == "道路改造\n第二行"
    assert ws["C4"].value == datetime.datetime(2025, 3, 3) and ws["C4"].number_format == xlsx.DATE_FORMAT
    assert (ws["B5"].value, ws["C5"].value) == (None, None)


def test_unit_export_holds_only_its_own_rows(client, outsider_clerk, world):
    _, workbook = download(client, outsider_clerk, "export_summary")
    assert list(data_rows(workbook.active)) == ["第2号"]  # the health bureau's; the transport bureau's absent


def test_lead_unit_export_holds_its_lead_and_separate_rows(client, clerk, world):
    _, workbook = download(client, clerk, "export_summary")
    assert list(data_rows(workbook.active)) == ["第1号", "第4号"]


def test_filtered_export_holds_only_the_filtered_rows(client, office, world, categories):
    _, workbook = download(client, office, "export_summary", {"category": categories["教科文卫"].pk})
    ws = workbook.active
    assert list(data_rows(ws)) == ["第2号", "第3号"]
    assert "类别：教科文卫" in ws["A2"].value


def test_export_follows_the_lists_ordering(client, office, world):
    _, workbook = download(client, office, "export_summary", {"ordering": "-number"})
    assert list(data_rows(workbook.active)) == ["第4号", "第3号", "第2号", "第1号"]


def test_export_of_all_sessions_names_each_session(client, office, world, categories, deputies):
    older = CongressSession.objects.create(name="第八届人民代表大会第四次会议", year=2024, term=8, meeting=4)
    workflow.register(
        user=office, at=AT, session=older, number=1, title="旧建议", lead_deputy=deputies["lead"],
        category=categories["城建交通"],
    )  # fmt: skip
    _, workbook = download(client, office, "export_summary", {"session": ""})
    ws = workbook.active
    assert ws["A1"].value == f"第八届人民代表大会第四次会议、{SESSION} 建议办理情况汇总表"
    titles = [row[2].value for row in ws.iter_rows(min_row=4)]
    assert (len(titles), titles[0], titles[-1]) == (
        5,
        "关于农村道路提档升级的建议",
        "旧建议",
    )  # the list's order


@pytest.mark.parametrize("params", [{"category": "abc"}, {"session": "999999"}, {"due_within": "-3"}])
def test_bad_filter_params_are_a_400_in_chinese(client, office, world, params):
    client.force_login(office)
    response = client.get(reverse("suggestions:export_summary"), params)
    assert response.status_code == 400
    assert "筛选条件有误" in response.content.decode()


@pytest.mark.parametrize("name", ["export_summary", "export_statistics"])
def test_deputy_may_not_export(client, deputy_user, world, name):
    client.force_login(deputy_user)
    assert client.get(reverse(f"suggestions:{name}")).status_code == 403


@pytest.mark.parametrize("user", ["congress", "leader_user", "head"])
def test_reading_roles_may_export(client, request, world, user):
    download(client, request.getfixturevalue(user), "export_summary")


def test_the_temporary_file_is_closed_with_the_response(client, office, world, monkeypatch):
    from suggestions.views import exports as views

    made = []

    def temporary_file(**kwargs):
        made.append(views.tempfile.TemporaryFile.__wrapped__(**kwargs))
        return made[-1]

    temporary_file.__wrapped__ = views.tempfile.TemporaryFile
    monkeypatch.setattr(views.tempfile, "TemporaryFile", temporary_file)
    client.force_login(office)
    response = client.get(reverse("suggestions:export_summary"))
    assert not made[0].closed
    b"".join(response.streaming_content)  # the test client closes the response at the end
    assert made[0].closed  # an unnamed temporary file: closed is deleted


def _bulk(session, categories, deputies, delegation, units, first, count):
    created = Suggestion.objects.bulk_create(
        Suggestion(
            session=session,
            number=n,
            title=f"建议{n}",
            lead_deputy=deputies["lead"],
            delegation=delegation,
            category=categories["城建交通"],
            state=Suggestion.State.ASSIGNED,
            assigned_on=datetime.date(2025, 3, 3),
            deadline=datetime.date(2025, 6, 3),
        )
        for n in range(first, first + count)
    )
    Assignment.objects.bulk_create(
        Assignment(
            suggestion=s,
            unit=units["transport"] if role == "lead" else units["finance"],
            role=role,
            assigned_on=datetime.date(2025, 3, 3),
            deadline=datetime.date(2025, 6, 3),
            original_deadline=datetime.date(2025, 6, 3),
        )
        for s in created
        for role in ("lead", "co")
    )
    for s in created:
        s.joint_deputies.add(deputies["joint"])


def test_summary_queries_do_not_grow_with_the_rows(
    session, categories, deputies, delegation, units, django_assert_max_num_queries
):
    queryset = Suggestion.objects.filter(session=session).order_by("number")
    counts = []
    for first, count in [(1, 5), (6, 25)]:
        _bulk(session, categories, deputies, delegation, units, first, count)
        with CaptureQueriesContext(connection) as queries:
            assert exports.write_summary(queryset, io.BytesIO()) == first + count - 1
        counts.append(len(queries))
    assert counts[0] == counts[1]  # 5 rows and 30 rows
    with django_assert_max_num_queries(6):
        exports.write_summary(queryset, io.BytesIO())


def test_rows_read_in_several_chunks_are_those_of_one_chunk_in_the_lists_order(
    client, office, world, monkeypatch
):
    """A 100,000-row export reads its suggestions in chunks (``summary.CHUNK_SIZE``), each with four queries
    for its related rows: across the chunks' edges every row keeps its units, reply, contact and rating."""
    queryset = Suggestion.objects.order_by("-number")
    whole = list(summary.rows(queryset))
    monkeypatch.setattr(summary, "CHUNK_SIZE", 1)
    with CaptureQueriesContext(connection) as queries:
        chunked = list(summary.rows(queryset))
    assert chunked == whole
    assert [row[1] for row in chunked] == ["第4号", "第3号", "第2号", "第1号"]
    assert [row[0] for row in chunked] == [1, 2, 3, 4]
    assert chunked[3][7:9] == ["市交通运输局", "市财政局"] and chunked[3][17:20] == [
        "登门走访",
        "满意",
        "公开",
    ]
    assert len(queries) == 1 + 4 * 4  # the suggestions, then four queries a chunk

    _, workbook = download(client, office, "export_summary", {"ordering": "-number"})  # what the writer wrote
    sheet = [[cell.value for cell in row] for row in workbook.active.iter_rows(min_row=4)]
    assert [row[:9] for row in sheet] == [[v if v != "" else None for v in row[:9]] for row in whole]


# --- the statistics workbook ---------------------------------------------------------------------------------


def sheet_table(ws):
    return {row[0].value: [c.value for c in row[1:]] for row in ws.iter_rows(min_row=4)}


def test_statistics_workbook_has_the_dashboards_figures(client, office, world, session):
    response, workbook = download(client, office, "export_statistics", {"session": session.pk})
    assert workbook.sheetnames == [
        "概况",
        "按类别",
        "按承办单位",
        "按分管领导",
        "按答复类别",
        "满意度",
        "承办单位考核",
    ]
    figures = statistics.summary(Suggestion.objects.filter(session=session))

    overview = workbook["概况"]
    assert overview["A1"].value == f"{SESSION} 建议办理情况概况"
    assert overview.freeze_panes == "A4"
    assert [c.value for c in overview[3]] == ["项目", "数值", "说明"]
    table = {label: value for label, (value, _) in sheet_table(overview).items()}
    assert table["建议总数"] == figures["total"] == 4
    assert table["政府承办"] == figures["government_handled"]
    assert table["重点建议"] == figures["key"] == 1
    assert table["已办结"] == figures["closed"] == 1
    assert table["办结率"] == pytest.approx(figures["completion_rate"])
    assert table["满意率（最终评价）"] == pytest.approx(figures["satisfaction_rate"]) == 1
    assert table["超期未办结"] == figures["overdue"]

    rates = {row[0].value: row[1] for row in overview.iter_rows(min_row=4)}
    assert rates["办结率"].number_format == "0.0%"
    assert rates["建议总数"].number_format == "General"

    categories = sheet_table(workbook["按类别"])
    assert {k: v[0] for k, v in categories.items() if k != "合计"} == {
        row["name"]: row["count"] for row in figures["by_category"]
    }
    assert categories["合计"] == [figures["government_handled"], 1]

    satisfaction = sheet_table(workbook["满意度"])
    assert satisfaction["满意（最终评价）"] == [figures["satisfied"], 1]
    assert workbook["满意度"]["C4"].number_format == "0.0%"

    classes = sheet_table(workbook["按答复类别"])
    assert [classes[label][0] for label in ("A 已解决或采纳", "B 正在解决或列入计划解决")] == [1, 0]


@pytest.mark.usefixtures("four_result_classes")
def test_statistics_workbook_lists_a_result_class_added_to_the_choices(client, office, world, session):
    Suggestion.objects.filter(session=session, result_class="A").update(result_class="D")
    _, workbook = download(client, office, "export_statistics", {"session": session.pk})
    overview = sheet_table(workbook["概况"])
    assert [overview[f"{code}类答复"] for code in "ABCD"] == [
        [0, "A 所提问题已经解决或基本解决"],
        [0, "B 所提问题正在解决"],
        [0, "C 所提问题已列入规划逐步解决"],
        [1, "D 因条件限制留作参考"],
    ]
    classes = sheet_table(workbook["按答复类别"])
    assert list(classes) == [*FOUR_CLASS_LABELS, "合计"]
    assert classes["D 因条件限制留作参考"] == [1, 1]


def test_statistics_per_unit_and_portfolio_match_statistics(client, office, world, session):
    _, workbook = download(client, office, "export_statistics", {"session": session.pk})
    scope = Suggestion.objects.filter(session=session)
    units = sheet_table(workbook["按承办单位"])
    for row in statistics.by_unit(scope):
        assert units[row["unit"]] == [row[k] for k in ("lead", "co", "separate", "done", "overdue")]
    portfolios = sheet_table(workbook["按分管领导"])
    for row in statistics.by_portfolio(scope):
        assert portfolios[row["leader"]][:3] == [row["total"], row["key"], row["closed"]]


def test_statistics_of_a_unit_count_only_its_suggestions(client, outsider_clerk, world, session):
    _, workbook = download(client, outsider_clerk, "export_statistics", {"session": session.pk})
    table = sheet_table(workbook["概况"])
    assert table["建议总数"][0] == 1


def test_statistics_of_all_sessions_and_bad_session(client, office, world):
    response, workbook = download(client, office, "export_statistics", {"session": "all"})
    assert workbook["概况"]["A1"].value == "全部届次 建议办理情况概况"
    assert "%E5%85%A8%E9%83%A8%E5%B1%8A%E6%AC%A1" in response["Content-Disposition"]  # 全部届次
    for bad in ("999999", "abc"):
        response = client.get(reverse("suggestions:export_statistics"), {"session": bad})
        assert response.status_code == 400
        assert "届次会议" in response.content.decode()


# --- the command ---------------------------------------------------------------------------------------------


def test_command_writes_the_summary_and_prints_the_row_count(world, tmp_path, capsys):
    path = tmp_path / "汇总表.xlsx"
    call_command("export_summary", "--session", SESSION, "-o", str(path))
    assert "共4行" in capsys.readouterr().out
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[3]] == HEADERS
    assert len(data_rows(ws)) == 4


def test_command_writes_the_statistics_workbook(world, tmp_path):
    path = tmp_path / "统计表.xlsx"
    call_command("export_summary", "--session", SESSION, "-o", str(path), "--statistics")
    assert openpyxl.load_workbook(path).sheetnames[0] == "概况"


def test_command_names_the_sessions_for_an_unknown_one(world, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command(
            "export_summary", "--session", "第九届人民代表大会第一次会议", "-o", str(tmp_path / "x.xlsx")
        )
    assert error.value.returncode == 1
    assert "没有名为「第九届人民代表大会第一次会议」的届次会议" in str(error.value)
    assert SESSION in str(error.value)
    assert not (tmp_path / "x.xlsx").exists()
