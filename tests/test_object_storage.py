"""Uploads through the default storage only (docs/scaling.md): with a storage that is not a folder (Django's
in-memory storage standing in for an S3 bucket) a signed reply letter, an import waiting for its confirmation
and a download of 「我的下载」 are kept and served as before, and nothing is written under MEDIA_ROOT. Moving the
files to object storage is then a change of ``STORAGES`` alone."""

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from suggestions.models import Job, Reply, Suggestion
from tests.test_imports import happy_rows, upload, workbook
from tests.test_views_uploads import download, draft_with, letter
from tests.view_helpers import PDF_BYTES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def bucket(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    yield default_storage
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing went to the folder


def test_a_reply_letter_is_kept_in_the_storage_and_served_from_it(client, journey, bucket):
    journey.assign().sign()
    draft_with(client, journey, letter())
    reply = Reply.objects.get()
    assert bucket.exists(reply.attachment.name)
    response = download(client, journey.clerk, reply)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_import_waits_for_its_confirmation_in_the_storage(
    client, session, categories, units, deputies, office, bucket
):
    client.force_login(office)
    response = upload(client, session, workbook(happy_rows(), title="清单"))
    assert response.status_code == 302
    _dirs, waiting = bucket.listdir("imports")
    assert len(waiting) == 1 and waiting[0].endswith(".json")
    token = client.get(reverse("suggestions:import_preview")).context["token"]
    assert client.post(reverse("suggestions:import_confirm"), {"token": token}).status_code == 302
    assert Suggestion.objects.filter(session=session).count() == 4
    assert bucket.listdir("imports") == ([], [])  # confirmed: the rows are deleted


def test_a_long_export_is_kept_in_the_storage_and_downloaded_from_it(
    client, registered, office, settings, bucket
):
    settings.JOBS_INSTANT_ROWS = 0  # every export is a background job
    client.force_login(office)
    url = reverse("suggestions:export_summary") + f"?session={registered.session_id}"
    assert client.post(url).status_code == 302
    job = Job.objects.get()
    assert job.state == Job.State.DONE and bucket.exists(job.file.name)
    response = client.get(reverse("suggestions:job_file", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"  # an .xlsx
