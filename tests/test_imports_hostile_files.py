"""导入 against hostile files: a zip bomb, a sheet of 200,000 rows in a column the import does not read, a huge
cell, formulas, macros, external links, a Word document renamed .xlsx. Each is refused with a clear message
before it costs the server more than a moment, and nothing is written. Every file is a real package: a workbook
saved by openpyxl, its parts rewritten with zipfile the way another program (or an attacker) would."""

import io
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from suggestions import imports
from tests.test_imports import HEADER, counts, row, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reference(session, categories, units, deputies, office):
    return {"session": session}


def repackaged(data, *, add=None, replace=None, drop=()):
    """``data`` (an .xlsx) with parts added, replaced or dropped, written again as a zip."""
    add, replace = add or {}, replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename in drop:
                continue
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def small_list():
    return workbook([HEADER, row(1), row(2)])


def zip_bomb():
    """A real workbook carrying one more part of 64 MB of zeros: about 60 kB on disk."""
    return repackaged(small_list(), add={"xl/media/image1.png": b"\0" * (64 * 1024 * 1024)})


def tall_sheet(rows=200_000):
    """The list's two rows, then ``rows`` more with nothing but a 1 in column Z (which no import column reads):
    the shape of the 3-million-row workbook that once took 112 s of CPU in one request."""
    book = openpyxl.load_workbook(io.BytesIO(small_list()))
    sheet = book.active
    rows_xml = []
    for r, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = "".join(
            f'<c r="{openpyxl.utils.get_column_letter(c)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
            for c, v in enumerate(values, start=1)
            if v not in (None, "")
        )
        rows_xml.append(f'<row r="{r}">{cells}</row>')
    start = len(rows_xml) + 1
    filler = "".join(f'<row r="{r}"><c r="Z{r}"><v>1</v></c></row>' for r in range(start, start + rows))
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(rows_xml)
        + filler
        + "</sheetData></worksheet>"
    )
    return repackaged(small_list(), replace={"xl/worksheets/sheet1.xml": xml.encode()})


def with_formula():
    book = openpyxl.load_workbook(io.BytesIO(small_list()))
    book.active["B3"] = '=CONCATENATE("关于", "道路")'
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_macros():
    return repackaged(small_list(), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really VBA"})


def macro_enabled_content_type():
    data = small_list()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        types = z.read("[Content_Types].xml").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return repackaged(data, replace={"[Content_Types].xml": types.encode()})


def with_external_link():
    link = (
        '<?xml version="1.0" encoding="UTF-8"?><externalLink '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><externalBook/></externalLink>'
    )
    return repackaged(small_list(), add={"xl/externalLinks/externalLink1.xml": link})


def word_document_renamed():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>关于加强农村道路建设的建议</w:document>")
    return out.getvalue()


HOSTILE = {
    "zip bomb": (zip_bomb, "文件解压后超过50 MB"),
    "200,000 rows in an unmapped column": (tall_sheet, "超过20001行（空行和其他列的内容也计算在内）"),
    "a formula cell": (with_formula, "第3行「标题」是公式（=CONCATENATE"),
    "macros": (with_macros, "工作簿含有宏（VBA）"),
    "macro-enabled content type": (macro_enabled_content_type, "工作簿含有宏（VBA）"),
    "an external link": (with_external_link, "工作簿含有指向其他文件的外部链接"),
    "a Word document renamed .xlsx": (word_document_renamed, "不是有效的Excel（.xlsx）工作簿"),
}


@pytest.fixture(scope="module")
def hostile_files():
    return {case: build() for case, (build, _message) in HOSTILE.items()}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_workbook_is_refused_quickly_and_writes_nothing(reference, office, hostile_files, case):
    before = counts()
    started = time.process_time()
    plan = imports.read_plan(hostile_files[case], session=reference["session"])
    spent = time.process_time() - started
    assert not plan.ok and plan.rows == []
    assert HOSTILE[case][1] in str(plan.errors[0])
    assert spent < 10, f"{case}: {spent:.1f} s of CPU to refuse it"
    with pytest.raises(imports.ImportFailed):
        imports.run_import(plan, user=office)
    assert counts() == before


@pytest.mark.parametrize(
    "case", ["zip bomb", "200,000 rows in an unmapped column", "a formula cell", "macros"]
)
def test_a_hostile_upload_is_refused_on_the_upload_page_and_not_kept(
    client, reference, office, media, hostile_files, case
):
    client.force_login(office)
    response = client.post(
        reverse("suggestions:import_upload"),
        {"session": reference["session"].pk, "file": SimpleUploadedFile("清单.xlsx", hostile_files[case])},
    )
    assert response.status_code == 400
    assert HOSTILE[case][1] in response.content.decode()
    assert not (media / "imports").exists() or not any((media / "imports").iterdir())
    assert counts() == (0, 0, 0)


def test_the_row_cap_counts_rows_not_suggestions(reference):
    """The cap is on the rows scanned: a list just under it is read, one row past it refused."""
    at_the_cap = tall_sheet(rows=imports.MAX_ROWS - 2)  # header + 2 suggestions + filler = 20,001 rows
    plan = imports.read_plan(at_the_cap, session=reference["session"])
    assert [r.number for r in plan.rows] == [1, 2] and plan.ok
    plan = imports.read_plan(tall_sheet(rows=imports.MAX_ROWS - 1), session=reference["session"])
    assert plan.rows == [] and "超过20001行" in str(plan.errors[0])


def test_an_over_long_cell_is_an_error_on_its_row_and_not_kept_in_full(reference, office):
    long_text = "很" * (imports.MAX_CELL_CHARS + 1)
    plan = imports.read_plan(
        workbook([HEADER, row(1), row(2, content=long_text)]), session=reference["session"]
    )
    assert not plan.ok
    assert [str(p) for p in plan.errors] == [f"第3行「内容」：超过{imports.MAX_CELL_CHARS}字，请精简后再导入"]
    assert len(plan.rows[1].content) < 100
    with pytest.raises(imports.ImportFailed):
        imports.run_import(plan, user=office)
    assert counts() == (0, 0, 0)


def test_a_cell_at_the_limit_is_imported_whole(reference, office):
    text = "建" * imports.MAX_CELL_CHARS
    plan = imports.read_plan(workbook([HEADER, row(1, content=text)]), session=reference["session"])
    assert plan.ok
    result = imports.run_import(plan, user=office)
    assert result.registered[0].content == text


def test_text_that_only_looks_like_a_formula_is_imported_as_text(reference, office):
    """A cell typed as text ('=) is not a formula: only real formula cells are refused."""
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(row(1, title="=关于道路的建议"))
    book.active["B2"].data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    plan = imports.read_plan(buffer.getvalue(), session=reference["session"])
    assert plan.ok
    assert imports.run_import(plan, user=office).registered[0].title == "=关于道路的建议"


def test_the_file_is_parsed_once_and_not_kept(client, reference, office, media, monkeypatch):
    """Upload, preview and confirm read the workbook once: what the preview and the import use is the rows
    kept from the upload (checked again against the database), and the workbook itself is not stored."""
    opened = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1) or real(*a, **k))
    client.force_login(office)
    response = client.post(
        reverse("suggestions:import_upload"),
        {"session": reference["session"].pk, "file": SimpleUploadedFile("清单.xlsx", small_list())},
    )
    assert response.status_code == 302
    assert [p.suffix for p in (media / "imports").iterdir()] == [".json"]
    page = client.get(reverse("suggestions:import_preview"))
    assert "共 <strong>2</strong> 行建议" in page.content.decode()
    client.get(reverse("suggestions:import_preview"))
    response = client.post(reverse("suggestions:import_confirm"), {"token": page.context["token"]})
    assert response.status_code == 302
    assert counts()[0] == 2
    assert len(opened) == 1
