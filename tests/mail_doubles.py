"""Stand-ins for what is outside the system: a mail relay that refuses every message, an SMS gateway that is down."""

import smtplib
import time

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from suggestions.sms import SmsBackend, SmsError


class FailingEmailBackend(BaseEmailBackend):
    """A relay that is down: every send raises, as Django's SMTP backend does; counts the tries."""

    tries = 0

    def send_messages(self, email_messages):
        type(self).tries += 1
        raise smtplib.SMTPException("邮件服务器拒绝连接")


class FailingSmsBackend(SmsBackend):
    def send(self, phone, text):
        raise SmsError("短信网关无响应")


FAILING_MAIL = {"default": {"BACKEND": "tests.mail_doubles.FailingEmailBackend"}}
LOCMEM_MAIL = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class SlowEmailBackend(BaseEmailBackend):
    """A relay that takes its time, so that a second worker arrives while the first is still sending."""

    def send_messages(self, email_messages):
        time.sleep(0.3)
        mail.outbox.extend(email_messages)
        return len(email_messages)


SLOW_MAIL = {"default": {"BACKEND": "tests.mail_doubles.SlowEmailBackend"}}
