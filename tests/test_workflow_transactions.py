"""Every action is one transaction: a failure in its middle (writing the signed letter, writing the event,
preparing or queueing the notifications) leaves the database as it was, and no file behind on disk.

The failures are injected into the real parts (the file storage, the event model, the notification queueing)
where a full disk, a lost connection or a bug would strike; the action then runs again without the failure, so
each test shows both that the failure undid everything and that the same action otherwise writes it."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from accounts.models import User
from suggestions import access, deliveries, imports, workflow
from suggestions.models import Delivery, Event, Notification, Reply, Suggestion
from suggestions.models.events import EventQuerySet
from tests.conftest import AT
from tests.test_imports import HEADER, workbook
from tests.test_imports import row as import_row
from tests.workflow_helpers import counts, snapshot

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Injected(Exception):
    """The failure a test injects."""


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def files_on_disk(media):
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


def letter():
    return SimpleUploadedFile("答复函.pdf", PDF, content_type="application/pdf")


def fail(*args, **kwargs):
    raise Injected("injected")


def submit_with_letter(journey):
    return workflow.perform(
        "submit_reply", user=journey.clerk, suggestion=journey.s, assignment=journey.lead, at=journey.step(),
        attachment=letter(),
    )  # fmt: skip


def draft_with_letter(journey):
    return journey.draft(attachment=letter())


@pytest.fixture
def signed_off(journey):
    return journey.assign().sign().draft().sign_off()


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param((FileSystemStorage, "_save", OSError("磁盘已满")), id="the letter cannot be written"),
        pytest.param((Event, "save", DatabaseError("连接中断")), id="the event cannot be written"),
        pytest.param((access, "may_read_event", Injected()), id="the notifications cannot be prepared"),
        pytest.param((deliveries, "queue", Injected()), id="the notifications cannot be queued"),
    ],
)
def test_a_failure_while_submitting_with_a_letter_leaves_reply_and_disk_as_they_were(
    signed_off, media, monkeypatch, failure
):
    journey = signed_off
    owner, name, error = failure
    before, disk = snapshot(journey.s), files_on_disk(media)

    def failing(*args, **kwargs):
        raise error

    with monkeypatch.context() as patched:
        patched.setattr(owner, name, failing)
        with pytest.raises(type(error)):
            submit_with_letter(journey)
    assert snapshot(journey.s) == before
    assert files_on_disk(media) == disk
    assert Reply.objects.get().state == Reply.State.SIGNED

    submit_with_letter(journey)  # the same action, nothing failing: it is written, file and all
    reply = Reply.objects.get()
    assert reply.state == Reply.State.SUBMITTED
    assert files_on_disk(media) == [reply.attachment.name]
    assert Event.objects.filter(action="submit_reply").count() == 1


def test_a_draft_whose_event_cannot_be_written_leaves_no_reply_and_no_letter(journey, media, monkeypatch):
    journey.assign().sign()
    before = snapshot(journey.s)
    with monkeypatch.context() as patched:
        patched.setattr(Event, "save", fail)
        with pytest.raises(Injected):
            draft_with_letter(journey)
    assert snapshot(journey.s) == before
    assert not Reply.objects.exists()
    assert files_on_disk(media) == []

    draft_with_letter(journey)
    assert files_on_disk(media) == [Reply.objects.get().attachment.name]


def test_an_earlier_letter_stays_when_replacing_it_fails(signed_off, media, monkeypatch):
    """The reply keeps pointing at its first letter, and that file is still there."""
    journey = signed_off
    submit_with_letter(journey)
    journey.s.refresh_from_db()
    workflow.perform(
        "review_reply", user=journey.office, suggestion=journey.s, assignment=journey.lead, at=journey.step(),
        accept=False, reason="请补充办理时限",
    )  # fmt: skip
    first = Reply.objects.get().attachment.name
    journey.s.refresh_from_db()
    before = snapshot(journey.s)
    with monkeypatch.context() as patched:
        patched.setattr(Event, "save", fail)
        with pytest.raises(Injected):
            draft_with_letter(journey)
    assert snapshot(journey.s) == before
    assert files_on_disk(media) == [first]


# One step of a suggestion's life each, in order: a test runs those before the one it makes fail.
STEPS = [
    ("assign", lambda j: j.assign()),
    ("sign_for", lambda j: j.sign()),
    ("draft_reply", lambda j: j.draft()),
    ("sign_reply", lambda j: j.sign_off()),
    ("submit_reply", lambda j: j.submit()),
    ("review_reply", lambda j: j.accept()),
    ("rate", lambda j: j.rate(1)),
]


@pytest.mark.parametrize("index", range(len(STEPS)), ids=[name for name, _ in STEPS])
def test_each_step_whose_event_cannot_be_written_changes_nothing(journey, media, monkeypatch, index):
    for _, step in STEPS[:index]:
        step(journey)
    journey.s.refresh_from_db()
    before = snapshot(journey.s)
    name, step = STEPS[index]
    with monkeypatch.context() as patched:
        patched.setattr(Event, "save", fail)
        with pytest.raises(Injected):
            step(journey)
    assert snapshot(journey.s) == before

    step(journey)  # nothing failing: the step is taken and recorded
    assert Event.objects.filter(suggestion=journey.s, action=name).exists()


def test_a_task_queue_out_of_reach_after_commit_keeps_the_action_and_its_deliveries(
    signed_off, media, monkeypatch, django_capture_on_commit_callbacks
):
    """Sending runs once the action is committed: should the queue be unreachable then, the action stands, its
    notifications with it, and the deliveries wait as 待发送 for the office's 重试."""
    journey = signed_off
    User.objects.filter(pk=journey.office.pk).update(email="office@example.cn")
    monkeypatch.setattr(deliveries, "enqueue", fail)
    notes = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        submit_with_letter(journey)
    assert Reply.objects.get().state == Reply.State.SUBMITTED
    assert Notification.objects.count() > notes
    waiting = Delivery.objects.filter(address="office@example.cn")
    assert [d.state for d in waiting] == [Delivery.State.PENDING]


def test_a_registration_whose_event_cannot_be_written_registers_nothing(
    office, session, categories, deputies, monkeypatch
):
    def register():
        return workflow.register(
            user=office, session=session, number=7, title="关于增设公交站点的建议", content="建议增设站点。",
            lead_deputy=deputies["lead"], joint_deputies=[deputies["joint"]], category=categories["城建交通"],
        )  # fmt: skip

    with monkeypatch.context() as patched:
        patched.setattr(EventQuerySet, "bulk_create", fail)
        with pytest.raises(Injected):
            register()
    assert counts() == dict.fromkeys(counts(), 0)
    assert not Suggestion.objects.exists() and not Suggestion.joint_deputies.through.objects.exists()

    s = register()
    assert list(s.joint_deputies.all()) == [deputies["joint"]]
    assert list(s.events.values_list("action", flat=True)) == ["register"]


def test_an_import_whose_assignment_event_cannot_be_written_imports_no_row(
    tmp_path, session, categories, units, deputies, office, monkeypatch
):
    """Three rows registered in bulk, then assigned one by one: the second assignment's event fails."""
    path = tmp_path / "清单.xlsx"
    path.write_bytes(
        workbook(
            [
                HEADER,
                import_row(1, lead_unit="交通局"),
                import_row(2, title="关于改善老旧小区供热的建议", lead_unit="住建局"),
                import_row(3, title="关于增加社区医疗网点的建议", lead_unit="卫体局"),
            ]
        )
    )
    plan = imports.read_plan(path, session=session)
    save, saved = Event.save, []

    def second_fails(event, *args, **kwargs):
        if event.action == "assign" and saved:
            raise Injected("injected")
        save(event, *args, **kwargs)
        saved.append(event.action)

    with monkeypatch.context() as patched:
        patched.setattr(Event, "save", second_fails)
        with pytest.raises(Injected):
            imports.run_import(plan, user=office, assign=True, at=AT)
    assert saved == ["assign"]  # the first assignment had been written, inside the import's transaction
    assert counts() == dict.fromkeys(counts(), 0)
    assert not Suggestion.objects.exists()

    result = imports.run_import(imports.read_plan(path, session=session), user=office, assign=True, at=AT)
    assert (len(result.registered), result.assigned) == (3, 3)
