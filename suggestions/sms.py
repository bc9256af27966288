"""短信: the text-message channel behind one small interface.

``settings.SMS_BACKEND`` names the class that sends (``SMS_OPTIONS`` are passed to it). The default,
``LoggingSmsBackend``, sends nothing: it writes each message to the log (logger ``suggestions.sms``), so an
office without a gateway still sees what would have gone out.

A real gateway (the government's SMS platform, a carrier's HTTP API) is an adapter here: a subclass of
``SmsBackend`` whose ``send`` makes the call and raises ``SmsError`` (or any exception) when the gateway refuses
or cannot be reached. The delivery then counts a failed attempt and retries (``suggestions.deliveries``).
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway refused the message or could not be reached."""


class SmsBackend:
    """Sends one text message to one mobile number."""

    def __init__(self, **options):
        self.options = options

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsBackend(SmsBackend):
    """Writes the message to the log instead of sending it: the default until a gateway is configured."""

    def send(self, phone, text):
        log.info("短信 -> %s：%s", phone, text)


def backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)(**getattr(settings, "SMS_OPTIONS", {}))
