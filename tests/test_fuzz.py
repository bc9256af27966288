"""Fuzzing what people type and upload: the registration form and the workflow's registration, the reply form
(with a letter of random bytes under a random name), the rating, the contact record, supervision, and the
import of a workbook. Random Unicode, control characters, NUL bytes, huge strings, dates that are not dates,
fields left out: each answer is a clear message or a success, never a 500, and a refusal changes nothing.

Each example runs in a savepoint rolled back after it, so examples do not see each other's writes. The number of
examples is modest (``FUZZ_EXAMPLES``, 25 by default) so that the suite stays fast; raise it for a longer run.
"""

import datetime
import io
import os

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from suggestions import imports, workflow
from suggestions.forms import LogContactForm, SuperviseForm
from suggestions.models import Suggestion
from tests.conftest import AT
from tests.snapshots import project_models

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 25)),
    deadline=None,
    database=None,  # no .hypothesis folder in the worktree; a failure prints the example to replay
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

NASTY = [
    "",
    " ",
    "\x00",
    "标题\x00里有NUL",
    "\x07\x08\x1b[31m",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "\u202e\u200b\ufeff",
    "=SUM(A1)",
    "'; DROP TABLE suggestions_suggestion; --",
    "𠀀𪚥" * 20,
    "\r\n\t\r\n",
    "长" * 40_000,
    "x" * 1_000_001,
]
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),  # any character a browser can send
    st.sampled_from(NASTY),
)
DATES = st.one_of(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2200, 12, 31)).map(str),
    st.sampled_from(
        ["2025-02-30", "0000-00-00", "9999-99-99", "2025/3/3", "20250303", "昨天", "-1", "2025-13-01"]
    ),
    TEXT,
)
IDS = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), TEXT)


def fields(**strategies):
    """A form's data with any of its fields left out (a browser always sends the CSRF token, which the test
    client does not check)."""
    return st.fixed_dictionaries({"csrfmiddlewaretoken": st.just("x" * 32)}, optional=strategies)


def choices(form, name):
    return st.sampled_from([value for value, _label in form.base_fields[name].choices if value])


def rows_per_table():
    return {m._meta.label: m._base_manager.count() for m in project_models()}


class Outcome:
    """Runs one example in a savepoint rolled back afterwards and tells what changed."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.before = rows_per_table()
        return self

    def changed(self):
        after = rows_per_table()
        return {label: after[label] - n for label, n in self.before.items() if after[label] != n}

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        self.atomic.__exit__(*exc)
        return False


def assert_answered(response, success, *, changed, expected_change, refused=400):
    """A success (``success`` status) with the expected rows written, or a refusal that wrote nothing."""
    assert response.status_code in (success, refused), response.status_code
    if response.status_code == success and response.status_code != refused:
        assert expected_change(changed), changed
    else:
        assert changed == {}, changed
        html = response.content.decode()
        assert "invalid-feedback" in html or "alert-danger" in html, "no message said why"


# The suggestion at the point of its life each form needs, made once per test (the examples roll back).


@pytest.fixture
def assigned(journey):
    return journey.assign()


@pytest.fixture
def signed(journey):
    return journey.assign().sign()


@pytest.fixture
def replied(journey):
    return journey.assign().reply()


# --- registration -----------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_the_registration_form_answers_any_input(client, office, session, categories, deputies, data):
    client.force_login(office)
    form = data.draw(
        fields(
            session=st.one_of(st.just(str(session.pk)), IDS),
            number=st.one_of(st.integers(min_value=1, max_value=999).map(str), IDS),
            title=TEXT,
            content=TEXT,
            source=st.one_of(st.sampled_from([c for c, _ in Suggestion.Source.choices]), TEXT),
            submitted_on=DATES,
            lead_deputy=st.one_of(st.just(str(deputies["lead"].pk)), IDS),
            joint_deputies=st.lists(st.one_of(st.just(str(deputies["joint"].pk)), IDS), max_size=3),
            category=st.one_of(st.just(str(categories["城建交通"].pk)), IDS),
            is_key=st.sampled_from(["on", "", "0", "1"]),
            remarks=TEXT,
        )
    )
    with Outcome() as outcome:
        response = client.post(reverse("suggestions:register"), form)
        assert_answered(
            response,
            302,
            changed=outcome.changed(),
            expected_change=lambda c: c.get("suggestions.Suggestion") == 1,
        )
        if response.status_code == 302:  # what was kept shows on its page and in the list
            assert client.get(response["Location"]).status_code == 200
            assert client.get(reverse("suggestions:list")).status_code == 200


CONTROL_TEXTS = ["\x00", "关于\x07道路的建议", "\x1b[31m红字", "尾部\x7f"]


@pytest.mark.parametrize("text", CONTROL_TEXTS)
def test_control_characters_are_refused_at_registration_with_a_message(
    office, session, categories, deputies, text
):
    """Found by the fuzzing: NUL failed on PostgreSQL, and a bell character in a title broke the 交办通知单 (Word
    refuses it). The workflow refuses both, whoever registers."""
    before = rows_per_table()
    with pytest.raises(workflow.WorkflowError, match="「案由」中含有看不见的控制字符"):
        workflow.register(
            user=office,
            session=session,
            number=1,
            title=text,
            lead_deputy=deputies["lead"],
            category=categories["城建交通"],
        )
    assert rows_per_table() == before


@pytest.mark.parametrize("text", CONTROL_TEXTS[1:])  # NUL: Django's own field refuses it first
def test_the_registration_form_says_which_field_holds_a_control_character(
    client, office, session, categories, deputies, text
):
    client.force_login(office)
    response = client.post(
        reverse("suggestions:register"),
        {
            "session": session.pk,
            "number": 1,
            "title": "关于道路的建议",
            "content": f"第一段\n{text}",
            "lead_deputy": deputies["lead"].pk,
            "category": categories["城建交通"].pk,
            "source": Suggestion.Source.choices[0][0],
        },
    )
    assert response.status_code == 400
    assert "「内容」中含有看不见的控制字符" in response.content.decode()
    assert Suggestion.objects.count() == 0


def test_tabs_and_line_breaks_are_text(office, session, categories, deputies):
    s = workflow.register(
        user=office,
        session=session,
        number=2,
        title="关于道路的建议",
        content="第一段\n\t第二段\r\n",
        lead_deputy=deputies["lead"],
        category=categories["城建交通"],
    )
    assert Suggestion.objects.get(pk=s.pk).content == "第一段\n\t第二段\r\n"


@FUZZ
@given(
    title=TEXT,
    content=TEXT,
    number=st.integers(min_value=-5, max_value=2**40),
    remarks=TEXT,
    submitted_on=st.one_of(st.none(), st.dates()),
)
def test_the_workflow_registers_or_refuses_with_a_message(
    office, session, categories, deputies, title, content, number, remarks, submitted_on
):
    """What the admin, the import and the form all call: a WorkflowError with a Chinese message, or a
    suggestion that reads back as it was given."""
    with Outcome() as outcome:
        try:
            s = workflow.register(
                user=office,
                at=AT,
                session=session,
                number=number,
                title=title,
                content=content,
                remarks=remarks,
                submitted_on=submitted_on,
                lead_deputy=deputies["lead"],
                category=categories["城建交通"],
            )
        except workflow.WorkflowError as error:
            assert error.message and any("\u4e00" <= ch <= "\u9fff" for ch in error.message), error.message
            assert outcome.changed() == {}
        else:
            stored = Suggestion.objects.get(pk=s.pk)
            assert stored.number == number >= 1
            assert 0 < len(stored.title) <= Suggestion._meta.get_field("title").max_length
            assert outcome.changed()["suggestions.Suggestion"] == 1


# --- the unit's reply, with a letter -----------------------------------------------------------------------------

LETTER = st.one_of(
    st.binary(max_size=2048),
    st.binary(max_size=512).map(lambda b: b"%PDF-1.4\n" + b),
    st.binary(max_size=512).map(lambda b: b"<html><script>alert(1)</script>%PDF-" + b),
)
FILE_NAMES = st.one_of(
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/\\"), min_size=1, max_size=80
    ),
    st.sampled_from(["答复.pdf", "../../etc/passwd.pdf", "a.pdf.exe", "<script>.pdf", "x" * 300 + ".pdf"]),
)


@FUZZ
@given(data=st.data())
def test_the_reply_form_answers_any_input(client, signed, clerk, data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    journey = signed
    client.force_login(clerk)
    form = data.draw(
        fields(
            document_number=TEXT,
            contact_person=TEXT,
            contact_phone=TEXT,
            result_class=st.one_of(st.sampled_from(["A", "B", "C"]), TEXT),
            text=TEXT,
            commitment=TEXT,
            commitment_due=DATES,
        )
    )
    if data.draw(st.booleans()):
        form["attachment"] = SimpleUploadedFile(data.draw(FILE_NAMES), data.draw(LETTER))
    url = reverse("suggestions:reply_form", args=[journey.s.pk, journey.lead.pk])
    with Outcome() as outcome:
        response = client.post(url, form)
        assert_answered(
            response,
            302,
            changed=outcome.changed(),
            expected_change=lambda c: c.get("suggestions.Reply") == 1,
        )


# --- the deputy's rating ------------------------------------------------------------------------------------------


@FUZZ
@given(
    form=fields(
        overall=st.one_of(st.sampled_from(["1", "2", "3"]), IDS),
        process=st.one_of(st.sampled_from(["1", "2", "3"]), IDS),
        result=st.one_of(st.sampled_from(["1", "2", "3"]), IDS),
        comment=TEXT,
        confirmed=st.sampled_from(["1", "", "on", "True"]),
    )
)
def test_the_rating_answers_any_input(client, replied, deputy_user, form):
    journey = replied
    client.force_login(deputy_user)
    url = reverse("suggestions:act", args=[journey.s.pk, "rate"])
    with Outcome() as outcome:
        response = client.post(url, form)
        assert_answered(
            response,
            302,
            changed=outcome.changed(),
            expected_change=lambda c: c.get("suggestions.Rating") == 1,
        )


# --- the unit's contact record and the office's supervision -------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_the_contact_record_answers_any_input(client, signed, clerk, deputies, data):
    journey = signed
    client.force_login(clerk)
    form = data.draw(
        fields(
            method=st.one_of(choices(LogContactForm, "method"), TEXT),
            contacted_on=DATES,
            participants=TEXT,
            deputies=st.lists(st.one_of(st.just(str(deputies["lead"].pk)), IDS), max_size=3),
            summary=TEXT,
        )
    )
    url = reverse("suggestions:act_on", args=[journey.s.pk, "log_contact", journey.lead.pk])
    with Outcome() as outcome:
        response = client.post(url, form)
        assert_answered(
            response,
            302,
            changed=outcome.changed(),
            expected_change=lambda c: c.get("suggestions.ContactRecord") == 1,
        )


@FUZZ
@given(
    form=fields(
        kind=st.one_of(choices(SuperviseForm, "kind"), TEXT),
        method=st.one_of(choices(SuperviseForm, "method"), TEXT),
        text=TEXT,
        due_on=DATES,
    )
)
def test_supervision_answers_any_input(client, assigned, office, form):
    journey = assigned
    client.force_login(office)
    url = reverse("suggestions:act", args=[journey.s.pk, "supervise"])
    with Outcome() as outcome:
        response = client.post(url, form)
        assert_answered(
            response,
            302,
            changed=outcome.changed(),
            expected_change=lambda c: c.get("suggestions.SupervisionNote") == 1,
        )


# --- the import of a workbook -------------------------------------------------------------------------------------

HEADER = ["建议编号", "标题", "领衔代表", "联名代表", "代表团", "类别", "内容", "建议主办单位", "是否重点"]
CELL = st.one_of(
    st.none(),
    TEXT.map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t)[:32_000]),  # what a workbook can hold
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2200, 1, 1)),
    st.sampled_from(
        ["1", "第12号", "１２", "赵明远", "钱晓梅、孙志强", "城建交通", "市交通运输局", "是", "√"]
    ),
)


def sheet_bytes(header, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@FUZZ
@given(
    header=st.lists(st.sampled_from(HEADER + ["案由", "序号", "", "备注", "=A1"]), min_size=0, max_size=10),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=10), min_size=0, max_size=6),
)
def test_the_import_answers_any_workbook(client, office, session, categories, units, deputies, header, rows):
    """Upload, preview and confirm a workbook of random cells under a random header (columns missing, repeated,
    or none): each page answers with a message or imports every row; a refusal writes nothing."""
    client.force_login(office)
    data = sheet_bytes(header, rows)
    with Outcome() as outcome:
        response = client.post(
            reverse("suggestions:import_upload"),
            {"session": session.pk, "file": SimpleUploadedFile("清单.xlsx", data)},
        )
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert "invalid-feedback" in response.content.decode()
            assert outcome.changed() == {}
            return
        page = client.get(reverse("suggestions:import_preview"))
        assert page.status_code == 200
        plan = page.context["plan"]
        response = client.post(reverse("suggestions:import_confirm"), {"token": page.context["token"]})
        changed = outcome.changed()
        if plan.ok:
            assert response.status_code == 302
            assert changed.get("suggestions.Suggestion") == len(plan.rows)
        else:
            assert response.status_code == 400
            assert changed == {}


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=4096),
        st.binary(max_size=1024).map(lambda b: b"PK\x03\x04" + b),
        st.binary(max_size=1024).map(lambda b: imports.XLS_SIGNATURE + b),
    )
)
def test_the_import_answers_any_bytes(session, data):
    plan = imports.read_plan(data, session=session)
    assert not plan.ok and plan.rows == []
    assert str(plan.errors[0])
