"""The signed reply letter (PDF): stored outside static/, served only to those who may see the suggestion,
checked by its content and its size."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from suggestions.models import Reply
from tests.view_helpers import (
    PDF_BYTES,
    REPLY_FORM,
    field_errors,
    messages_shown,
    post_action,
    section,
    text,
)
from tests.workflow_helpers import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def stored_files(root):
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def letter(content=PDF_BYTES, name="霍交函〔2025〕12号.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def draft_with(client, journey, upload):
    client.force_login(journey.clerk)
    return post_action(client, journey.s, "draft_reply", {**REPLY_FORM, "attachment": upload}, journey.lead)


def download(client, user, reply):
    client.force_login(user)
    return client.get(reverse("suggestions:reply_attachment", args=[reply.pk]))


def test_a_drafted_letter_is_stored_under_media_root_not_static(client, journey, media):
    journey.assign().sign()
    response = draft_with(client, journey, letter())
    assert messages_shown(response) == ["拟写答复：已完成。"]
    reply = Reply.objects.get()
    path = Path(reply.attachment.path)
    assert path.is_relative_to(media)
    assert not path.is_relative_to(Path(django_settings.BASE_DIR) / "static")
    assert path.read_bytes() == PDF_BYTES
    assert path.suffix == ".pdf" and "霍交函" not in path.name  # a generated name, not the person's
    assert "下载签发件（PDF）" in section(response, "reply")


def test_those_who_see_the_suggestion_download_the_accepted_letter_others_get_404(
    client, request, journey, media
):
    journey.assign().sign()
    draft_with(client, journey, letter())
    journey.sign_off().submit().accept()
    reply = Reply.objects.get()
    for user in ["office", "clerk", "head", "deputy_user", "joint_deputy_user", "leader_user"]:
        response = download(client, request.getfixturevalue(user), reply)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF_BYTES
    for user in ["outsider_clerk", "other_deputy_user", "other_leader_user"]:
        assert download(client, request.getfixturevalue(user), reply).status_code == 404, user


def test_the_letter_stays_in_the_unit_until_sent_and_with_the_government_until_accepted(
    client, journey, media, deputy_user, office, clerk, head, co_clerk
):
    journey.assign().sign()
    draft_with(client, journey, letter())
    reply = Reply.objects.get()
    assert download(client, clerk, reply).status_code == 200
    for user in (office, co_clerk, deputy_user):
        assert download(client, user, reply).status_code == 404
    journey.sign_off()
    assert download(client, head, reply).status_code == 200
    assert download(client, office, reply).status_code == 404
    journey.submit()
    assert download(client, office, reply).status_code == 200
    for user in (co_clerk, deputy_user):
        assert download(client, user, reply).status_code == 404
    journey.accept()
    for user in (co_clerk, deputy_user):
        assert download(client, user, reply).status_code == 200


def test_a_reply_without_a_letter_is_a_404(client, journey, office):
    journey.assign().sign().draft()
    assert download(client, office, Reply.objects.get()).status_code == 404


def test_the_letter_can_come_with_the_submission(client, journey, media, clerk, office):
    s = journey.assign().sign().draft().sign_off().s
    client.force_login(clerk)
    response = post_action(client, s, "submit_reply", {"attachment": letter()}, journey.lead)
    assert messages_shown(response)[0] == "报送答复：已完成。"
    assert download(client, office, Reply.objects.get()).status_code == 200


def test_a_pdf_name_over_other_content_is_refused(client, journey, media):
    s = journey.assign().sign().s
    before = snapshot(s)
    fake = letter(content=b"<html><body>not a letter</body></html>", name="答复函.pdf")
    response = draft_with(client, journey, fake)
    assert response.status_code == 400
    errors = field_errors(response, f"action-draft_reply-{journey.lead.pk}", "attachment")
    assert len(errors) == 1 and errors[0].startswith("只能上传PDF文件")
    assert snapshot(s) == before
    assert stored_files(media) == []


HTML_WITH_A_PDF_MARK = b"<!DOCTYPE html><html><body><script>alert(1)</script>%PDF-1.4</body></html>"


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(
            HTML_WITH_A_PDF_MARK, "只能上传PDF文件（所选文件不是完整的PDF）。", id="html-with-pdf-mark"
        ),
        pytest.param(
            PDF_BYTES.replace(b"%%EOF", b""), "只能上传PDF文件（所选文件不是完整的PDF）。", id="no-eof"
        ),
        pytest.param(
            PDF_BYTES.replace(b"%%EOF", b"<ScRiPt>alert(1)</script>\n%%EOF"),
            "文件中含有网页或脚本代码，不能作为答复函上传。",
            id="script-inside",
        ),
        pytest.param(
            b"%PDF-1.4\n" + b"<html><body>" + b"x" * 3_000_000 + PDF_BYTES[9:],
            "文件中含有网页或脚本代码，不能作为答复函上传。",
            id="html-after-a-pdf-header",
        ),
    ],
)
def test_a_file_that_only_looks_like_a_pdf_is_refused_and_nothing_is_kept(
    client, journey, media, content, message
):
    s = journey.assign().sign().s
    before = snapshot(s)
    response = draft_with(client, journey, letter(content=content))
    assert response.status_code == 400
    assert field_errors(response, f"action-draft_reply-{journey.lead.pk}", "attachment") == [message]
    assert snapshot(s) == before
    assert stored_files(media) == []


def test_markup_split_across_the_scan_chunks_is_still_found(client, journey, media):
    from suggestions.workflow.rules import CHUNK

    s = journey.assign().sign().s
    body = b"%PDF-1.4\n" + b"x" * (CHUNK - 12) + b"<script>" + PDF_BYTES[9:]
    assert body.index(b"<script>") < CHUNK < body.index(b"<script>") + 8  # the marker straddles the seam
    response = draft_with(client, journey, letter(content=body))
    assert response.status_code == 400
    assert Reply.objects.filter(assignment__suggestion=s).count() == 0
    assert stored_files(media) == []


def test_a_letter_over_the_size_limit_is_refused(client, journey, media, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    s = journey.assign().sign().s
    before = snapshot(s)
    big = letter(content=PDF_BYTES + b"%" + b"0" * 2048)
    response = draft_with(client, journey, big)
    assert response.status_code == 400
    errors = field_errors(response, f"action-draft_reply-{journey.lead.pk}", "attachment")
    assert errors == ["文件不能超过1 KB。"]
    assert snapshot(s) == before
    assert stored_files(media) == []
    assert "已完成" not in text(response)
