"""The rows of an uploaded import kept between its preview and its confirmation: ``imports/<token>.json`` in the
default storage (MEDIA_ROOT, or an S3 bucket: docs/scaling.md), so the app server that confirms and the worker
that writes a long import need not be the one that took the upload. Only the user's session knows the token."""

import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

FOLDER = "imports"
STALE_SECONDS = 24 * 3600


def _name(token: str) -> str:
    return f"{FOLDER}/{token}.json"


def save(token: str, text: str) -> None:
    default_storage.save(_name(token), ContentFile(text.encode("utf-8")))


def exists(token: str) -> bool:
    return default_storage.exists(_name(token))


def read(token: str) -> str:
    with default_storage.open(_name(token), "rb") as file:
        return file.read().decode("utf-8")


def discard(token: str) -> None:
    default_storage.delete(_name(token))


def remove_stale(seconds: int = STALE_SECONDS) -> None:
    """Delete what was left here more than ``seconds`` ago (a preview never confirmed)."""
    try:
        _dirs, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    cutoff = time.time() - seconds
    for filename in files:
        name = f"{FOLDER}/{filename}"
        if (
            filename.endswith((".json", ".xlsx"))
            and default_storage.get_modified_time(name).timestamp() < cutoff
        ):
            default_storage.delete(name)
