"""历史导入: a past session's 汇总表 goes in as the suggestions ended (closed, with their units, replies and
ratings), so that the figures of the session read the same as they did; or nothing goes in, and the office is
told which row and column to fix."""

import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from suggestions import exports, rules, workflow
from suggestions.imports import sessions
from suggestions.imports.problems import ImportFileError
from suggestions.models import (
    Category,
    CongressSession,
    ContactRecord,
    Deputy,
    Event,
    HandlingUnit,
    Rating,
    Reply,
    Suggestion,
)
from tests.conftest import AT, Journey

pytestmark = pytest.mark.django_db

TODAY = "2026-01-15"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stats(name):
    out = io.StringIO()
    call_command("session_stats", "--session", name, "--json", "--today", TODAY, stdout=out)
    return json.loads(out.getvalue())


def journey_of(number, title, ctx, **extra):
    s = workflow.register(
        user=ctx["office"],
        at=AT,
        session=ctx["session"],
        number=number,
        title=title,
        lead_deputy=ctx["deputies"]["lead"],
        joint_deputies=[ctx["deputies"]["joint"]],
        category=ctx["categories"]["城建交通" if number % 2 else "教科文卫"],
        **extra,
    )
    return Journey(
        s,
        office=ctx["office"],
        clerk=ctx["clerk"],
        head=ctx["head"],
        units=ctx["units"],
        deputy_user=ctx["deputy_user"],
    )


@pytest.fixture
def ctx(office, clerk, head, co_clerk, units, deputies, categories, session, deputy_user, leaders):
    return {
        "office": office,
        "clerk": clerk,
        "head": head,
        "co_clerk": co_clerk,
        "units": units,
        "deputies": deputies,
        "categories": categories,
        "session": session,
        "deputy_user": deputy_user,
        "leaders": leaders,
    }


@pytest.fixture
def handled_session(ctx):
    """A session of the fixtures in every state the 汇总表 can tell: closed (A, satisfied; B, basically
    satisfied, a face-to-face visit; re-handled after 不满意 and then satisfied), replied not rated, assigned and
    late, registered, handed over to another organ."""
    key = {"is_key": True, "supervising_leader": ctx["leaders"]["health"]}
    j = journey_of(1, "关于农村道路提档升级的建议", ctx, **key).assign(co=False).reply("A").rate(3)
    workflow.perform("close", user=ctx["office"], suggestion=j.s, at=j.step())
    j = journey_of(2, "关于增设公交线路的建议", ctx).assign(co=False).sign()
    workflow.perform(
        "log_contact", user=ctx["clerk"], suggestion=j.s, assignment=j.lead, at=j.step(),
        method=ContactRecord.Method.VISIT, contacted_on=j.at.date(), participants="周敏", summary="登门走访",
    )  # fmt: skip
    j.draft("B").sign_off().submit().accept().rate(2)
    workflow.perform("close", user=ctx["office"], suggestion=j.s, at=j.step())
    j = journey_of(3, "关于改善城区停车的建议", ctx).assign(co=False).reply("C").rate(1)
    j.reply("A").rate(3)
    workflow.perform("close", user=ctx["office"], suggestion=j.s, at=j.step())
    journey_of(4, "关于加强校园安全的建议", ctx).assign(co=False).reply("A")
    journey_of(5, "关于整治背街小巷的建议", ctx).assign(co=False)
    journey_of(6, "关于建设口袋公园的建议", ctx)
    s = journey_of(7, "关于规范法律援助的建议", ctx).s
    workflow.perform("hand_over", user=ctx["office"], suggestion=s, at=AT, other_organ="市人民法院")
    journey_of(8, "关于完善供水管网的建议", ctx).assign(co=False).reply("A").rate(1)  # 重新办理 now
    j = journey_of(9, "关于治理道路积水的建议", ctx).assign(co=True)
    co = j.s.assignments.get(role="co")
    workflow.perform("sign_for", user=ctx["co_clerk"], suggestion=j.s, assignment=co, at=j.step())
    workflow.perform(
        "send_opinion", user=ctx["co_clerk"], suggestion=j.s, assignment=co, at=j.step(), text="同意"
    )
    j.reply("A").rate(3)
    workflow.perform("close", user=ctx["office"], suggestion=j.s, at=j.step())
    s = journey_of(10, "关于撤回的建议", ctx).assign(co=False).s
    workflow.perform("withdraw", user=ctx["office"], suggestion=s, at=AT, reason="代表撤回")
    return ctx["session"]


def summary_file(session, tmp_path):
    path = tmp_path / "汇总表.xlsx"
    exports.write_summary(Suggestion.objects.filter(session=session).order_by("number"), path)
    return path


def test_a_session_exported_and_imported_into_a_new_session_gives_the_same_figures(
    handled_session, tmp_path, office
):
    path = summary_file(handled_session, tmp_path)
    out = io.StringIO()
    call_command("import_history", str(path), "--session", "市八届人大六次会议", stdout=out)
    assert "已导入10件往届建议到第八届人民代表大会第六次会议（2026年，新建）" in out.getvalue()
    copy = CongressSession.objects.get(term=8, meeting=6)
    assert stats(copy.name) == stats(handled_session.name)
    figures = stats(copy.name)
    assert (figures["total"], figures["rehandling"], figures["withdrawn"], figures["ever_unsatisfied"]) == (
        10,
        1,
        1,
        2,
    )
    assert [u["co"] for u in figures["by_unit"]] == [0, 1]
    # the visit logged on No. 2 (``log_contact``) and imported with it: 已沟通 and 见面沟通 in both
    assert (figures["contacted"], figures["face_to_face"]) == (1, 1)
    # and the copy exports as the original did, row for row but the title
    copied = tmp_path / "copy"
    copied.mkdir()
    assert _rows(summary_file(copy, copied)) == _rows(summary_file(handled_session, tmp_path))
    assert Event.objects.filter(suggestion__session=copy, label="历史导入").count() == 10


def _rows(path):
    sheet = openpyxl.load_workbook(path).active
    return [row for row in sheet.iter_rows(min_row=4, values_only=True)]


# --- session names --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "term", "meeting", "year"),
    [
        ("第八届人民代表大会第三次会议", 8, 3, None),
        ("市八届人大三次会议", 8, 3, None),
        ("县十八届人大四次会议", 18, 4, None),
        ("霍州市第二十三届人民代表大会第十二次会议（2023年）", 23, 12, 2023),
        ("第8届人大第3次会议", 8, 3, None),
    ],
)
def test_a_session_name_is_read_as_offices_write_it(name, term, meeting, year):
    parsed = sessions.parse_session_name(name)
    assert (parsed.term, parsed.meeting, parsed.year) == (term, meeting, year)


def test_a_new_session_takes_the_full_name_and_its_year_from_the_same_terms_sessions(session):
    found, created = sessions.find_or_new_session("县八届人大三次会议")
    assert created and found.pk is None
    assert (found.name, found.year, found.term, found.meeting) == ("第八届人民代表大会第三次会议", 2023, 8, 3)
    # an existing session is found by its 届 and 次, however it is written
    assert sessions.find_or_new_session("市八届人大五次会议") == (session, False)


def test_a_session_whose_year_cannot_be_told_is_refused_in_chinese(db):
    with pytest.raises(ImportFileError) as caught:
        sessions.find_or_new_session("市十八届人大四次会议")
    assert "无法确定“市十八届人大四次会议”是哪一年的会议" in str(caught.value)
    with pytest.raises(ImportFileError) as caught:
        sessions.find_or_new_session("人大常委会会议", year=2023)
    assert "看出是第几届第几次会议" in str(caught.value)
    found, _ = sessions.find_or_new_session("市十八届人大四次会议", year=2021)
    assert found.year == 2021
    found, _ = sessions.find_or_new_session(
        "市十八届人大四次会议", file_year=2022
    )  # the file's assignment dates
    assert found.year == 2022


# --- a file written by hand -----------------------------------------------------------------------------------

HEADER = ["建议编号", "案由", "领衔代表", "联名代表", "代表团", "类别", "主办单位", "协办单位", "交办日期",
          "办理期限", "答复日期", "文号", "签发人", "答复类别", "是否重点", "督办领导", "代表评价", "办理状态"]  # fmt: skip


def line(number, **cells):
    values = {
        "建议编号": number, "案由": f"关于第{number}项工作的建议", "领衔代表": "赵明远", "代表团": "开元街道代表团",
        "类别": "城建交通", "主办单位": "市交通运输局", "交办日期": "2022-03-10", "办理期限": "2022-06-10",
        "答复日期": "2022年5月20日", "文号": f"霍交函〔2022〕{number}号", "签发人": "李局长", "答复类别": "A",
        "代表评价": "满意",
    }  # fmt: skip
    values.update(cells)
    return [values.get(h, "") for h in HEADER]


def xlsx(rows, title="2022年建议办理情况汇总表"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append([])
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def counts():
    return (CongressSession.objects.count(), Suggestion.objects.count(), Deputy.objects.count(),
            HandlingUnit.objects.count(), Category.objects.count(), Reply.objects.count(), Event.objects.count())  # fmt: skip


def test_unknown_deputies_categories_units_and_leaders_are_created_as_named(ctx, tmp_path):
    path = tmp_path / "2022.xlsx"
    path.write_bytes(xlsx([
        line(1, 联名代表="钱晓梅、周新人", 主办单位="市原工业和信息化局", 协办单位="市财政局", 类别="工业经济",
             是否重点="是", 督办领导="副市长张旧任", 答复类别="B类", 代表评价="第1轮：不满意；第2轮：基本满意"),
        line(2, 领衔代表="吴新代表", 代表团="大张镇代表团", 主办单位="交通运输局、市住房和城乡建设管理局",
             答复类别=rules.result_class("C").display, 代表评价="未评价", 办理状态="已答复"),
    ]))  # fmt: skip
    call_command("import_history", str(path), "--session", "第八届人民代表大会第一次会议", "--year", "2022")
    session = CongressSession.objects.get(term=8, meeting=1)
    assert session.year == 2022
    first, second = Suggestion.objects.filter(session=session).order_by("number")
    assert first.category.name == "工业经济" and first.state == Suggestion.State.CLOSED
    assert first.lead_unit.name == "市原工业和信息化局" and not first.lead_unit.is_active
    assert [d.name for d in first.joint_deputies.order_by("name")] == ["周新人", "钱晓梅"]
    assert first.is_key and str(first.supervising_leader) == "副市长张旧任"
    assert (first.round, first.result_class, first.first_rating, first.rating) == (2, "B", 1, 2)
    assert first.rated_unsatisfied
    assert Rating.objects.filter(reply__assignment__suggestion=first).count() == 2
    assert first.assignments.filter(role="co", unit__name="市财政局", state="opinion_sent").exists()
    assert second.lead_deputy.delegation.name == "大张镇代表团"
    assert second.state == Suggestion.State.REPLIED and second.rating is None
    assert sorted(a.unit.short_name for a in second.assignments.all()) == ["交通局", "住建局"]
    assert set(second.assignments.values_list("role", flat=True)) == {"separate"}
    event = second.events.get()
    assert (event.action, event.label) == ("import_history", "历史导入")
    assert "来自2022.xlsx第5行" in event.note


def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_is_saved(ctx, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        xlsx([line(1), line(2, 答复日期="五月", 答复类别="甲"), line(3, 领衔代表="新代表", 代表团="")])
    )
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match="共3行，3个错误，没有导入任何建议"):
        call_command(
            "import_history", str(path), "--session", "市八届人大一次会议", "--year", "2022", stderr=err
        )
    assert "错误 第5行「答复日期」：“五月”不是日期" in err.getvalue()
    assert "错误 第5行「答复类别」：无法识别答复类别“甲”" in err.getvalue()
    assert "错误 第6行「领衔代表」：找不到代表“新代表”，新建代表须填写「代表团」" in err.getvalue()
    assert counts() == before


def test_importing_into_a_session_with_the_same_numbers_is_refused(handled_session, tmp_path):
    path = summary_file(handled_session, tmp_path)
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_history", str(path), "--session", handled_session.name, stderr=err)
    assert "第八届人民代表大会第五次会议已有第1号、第2号" in err.getvalue()
    assert "不能再次导入" in err.getvalue()
    assert counts() == before


# --- the pages ------------------------------------------------------------------------------------------------


def test_the_office_uploads_previews_and_confirms_a_history_import(client, ctx, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(ctx["office"])
    data = xlsx([line(1), line(2, 主办单位="市新成立局", 代表评价="基本满意")])
    response = client.post(
        reverse("suggestions:history_upload"),
        {"session_name": "市八届人大一次会议", "year": "", "file": SimpleUploadedFile("往届.xlsx", data)},
    )
    assert response.status_code == 302 and response["Location"] == reverse("suggestions:history_preview")
    page = client.get(reverse("suggestions:history_preview"))
    html = page.content.decode()
    # the year from the same 届: its 5th meeting was in 2025 (the fixtures), so its 1st in 2021
    assert "第八届人民代表大会第一次会议" in html and "2021年，将新建" in html
    assert "承办单位“市新成立局”" in html and "确认导入 2 件往届建议" in html
    assert Suggestion.objects.count() == 0  # a preview writes nothing
    response = client.post(reverse("suggestions:history_confirm"), {"token": page.context["token"]})
    assert response.status_code == 302
    session = CongressSession.objects.get(name="第八届人民代表大会第一次会议")
    assert response["Location"].endswith(f"?session={session.pk}")
    assert Suggestion.objects.filter(session=session, state="closed").count() == 2
    assert not list((media / "imports").glob("*.json"))
    detail = client.get(reverse("suggestions:detail", args=[Suggestion.objects.get(number=1).pk]))
    assert "历史导入" in detail.content.decode()


def test_a_preview_with_errors_offers_no_confirmation_and_a_confirm_writes_nothing(client, ctx):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(ctx["office"])
    data = xlsx([line(1, 代表评价="很好")])
    client.post(
        reverse("suggestions:history_upload"),
        {"session_name": "市八届人大一次会议", "file": SimpleUploadedFile("往届.xlsx", data)},
    )
    page = client.get(reverse("suggestions:history_preview"))
    assert "第4行「代表评价」：无法识别代表评价“很好”" in page.content.decode()
    assert "history-confirm" not in page.content.decode()
    response = client.post(reverse("suggestions:history_confirm"), {"token": page.context["token"]})
    assert response.status_code == 400
    assert CongressSession.objects.filter(term=8, meeting=1).count() == 0 and Suggestion.objects.count() == 0


def test_the_preview_names_the_suggestion_already_on_record_each_row_is_like(client, ctx, registered):
    """As the suggestion import's preview: a past session's row on a matter already on record says so."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(ctx["office"])
    data = xlsx([line(1, 案由="关于农村道路提档升级改造的建议"), line(2, 案由="关于增加城区公共厕所的建议")])
    client.post(
        reverse("suggestions:history_upload"),
        {"session_name": "市八届人大一次会议", "file": SimpleUploadedFile("往届.xlsx", data)},
    )
    html = client.get(reverse("suggestions:history_preview")).content.decode()
    assert html.count("历次相似：") == 1
    assert f'历次相似：<a href="{reverse("suggestions:detail", args=[registered.pk])}">' in html
    assert "《关于农村道路提档升级的建议》" in html


def test_a_session_name_that_tells_nothing_is_refused_on_the_upload_page(client, ctx):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(ctx["office"])
    response = client.post(
        reverse("suggestions:history_upload"),
        {"session_name": "往届会议", "file": SimpleUploadedFile("往届.xlsx", xlsx([line(1)]))},
    )
    assert response.status_code == 400
    assert "无法从“往届会议”看出是第几届第几次会议" in response.content.decode()


def test_a_long_history_file_is_written_by_a_background_job(client, ctx, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.JOBS_INSTANT_ROWS = 1
    client.force_login(ctx["office"])
    client.post(
        reverse("suggestions:history_upload"),
        {
            "session_name": "市八届人大一次会议",
            "file": SimpleUploadedFile("往届.xlsx", xlsx([line(1), line(2)])),
        },
    )
    token = client.get(reverse("suggestions:history_preview")).context["token"]
    response = client.post(reverse("suggestions:history_confirm"), {"token": token}, follow=True)
    assert "已导入2件建议" in response.content.decode()
    assert Suggestion.objects.filter(session__meeting=1, state="closed").count() == 2


def test_a_formula_cell_is_refused_with_its_row_and_column(ctx, tmp_path):
    path = tmp_path / "formula.xlsx"
    path.write_bytes(xlsx([line(1, 答复日期="=TODAY()")]))
    with pytest.raises(CommandError, match="第4行「答复日期」是公式"):
        call_command("import_history", str(path), "--session", "市八届人大一次会议")
    assert not CongressSession.objects.filter(meeting=1).exists()
