"""消息发送: notifications sent out by email and text message, in the background, with retries.

``queue(notes)`` runs in the transaction of the action that caused the notifications: it writes one
``Delivery`` per channel the recipient can be reached on (an email address; a mobile number, their own or, for
a deputy, the deputy record's) and asks for the sending task once the transaction commits. Nothing is sent
inside the request: the task runs in the worker (``manage.py db_worker``) or, with the immediate backend
(``make run``, the tests), right after the commit.

``attempt(pk)`` sends one delivery. A failure (the mail relay down, the gateway refusing) never reaches the
action that caused it: the attempt is counted, its error kept, and the delivery retried after the delays of
``settings.DELIVERY_RETRY_DELAYS``; after the last attempt it is 发送失败 and waits for the office's 重试
(``retry``) on the 消息发送 page.
"""

import datetime
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import timezone

from . import sms
from .models import Delivery, Notification

log = logging.getLogger(__name__)

Channel, State = Delivery.Channel, Delivery.State
ERROR_MAX = Delivery._meta.get_field("last_error").max_length
TASK_BATCH = 100  # deliveries per task: a reminders run of thousands becomes a few dozen tasks

_held = ContextVar("deliveries_held", default=False)


@contextmanager
def held():
    """Within it, notifications are written but nothing is sent out: the demo's invented history."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def retry_delays() -> list[datetime.timedelta]:
    """The waits before the second, third, ... attempt; their number plus one is the number of attempts."""
    return [datetime.timedelta(seconds=s) for s in settings.DELIVERY_RETRY_DELAYS]


def max_attempts() -> int:
    return len(settings.DELIVERY_RETRY_DELAYS) + 1


def addresses(user) -> list[tuple[str, str]]:
    """Where a person is reached: (channel, address) for their email and their mobile number."""
    found = []
    if user.email:
        found.append((Channel.EMAIL, user.email))
    phone = user.phone.strip()
    if not phone and user.deputy_id is not None:
        phone = user.deputy.phone.strip()
    if phone:
        found.append((Channel.SMS, phone))
    return found


def queue(notes) -> list[Delivery]:
    """In the caller's transaction: the deliveries of saved notifications; sent after the commit."""
    if _held.get():
        return []
    now = timezone.now()
    deliveries = [
        Delivery(notification=n, channel=channel, address=address, created_at=now, next_attempt_at=now)
        for n in notes
        for channel, address in addresses(n.recipient)
    ]
    if not deliveries:
        return []
    deliveries = Delivery.objects.bulk_create(deliveries)
    # robust: should the queue itself be unreachable, the deliveries stay 待发送 and the office can 重试 them
    transaction.on_commit(partial(enqueue, [d.pk for d in deliveries]), robust=True)
    return deliveries


def enqueue(ids, *, run_after=None):
    from .tasks import send_deliveries

    task = send_deliveries
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    for start in range(0, len(ids), TASK_BATCH):
        task.enqueue(ids[start : start + TASK_BATCH])


def attempt(pk) -> str | None:
    """Try to send delivery ``pk`` once; returns its state afterwards, or None when it is no longer waiting
    (sent meanwhile by another worker, or not found). A failed send is recorded, never raised."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__recipient", "notification__suggestion", "notification__event")
            .filter(pk=pk, state=State.PENDING)
            .first()
        )
        if delivery is None:
            return None
        now = timezone.now()
        delivery.attempts += 1
        try:
            SENDERS[delivery.channel](delivery)
        except Exception as exc:  # the world outside failed: count it, keep the error, try again later
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
            if delivery.attempts >= max_attempts():
                delivery.state, delivery.next_attempt_at = State.FAILED, None
                log.warning("delivery %s failed for good after %s attempts: %s", pk, delivery.attempts, exc)
            else:
                delivery.next_attempt_at = now + retry_delays()[delivery.attempts - 1]
                transaction.on_commit(partial(enqueue, [pk], run_after=delivery.next_attempt_at))
                log.info("delivery %s failed (attempt %s), retried later: %s", pk, delivery.attempts, exc)
        else:
            delivery.state, delivery.sent_at, delivery.next_attempt_at = State.SENT, now, None
            if delivery.channel == Channel.EMAIL:
                Notification.objects.filter(pk=delivery.notification_id).update(emailed_at=now)
        delivery.save(update_fields=["state", "attempts", "last_error", "next_attempt_at", "sent_at"])
    return delivery.state


def retry(deliveries) -> int:
    """重试: the failed ones among ``deliveries`` wait again, with a fresh round of attempts, and are sent
    after the commit. Returns how many."""
    with transaction.atomic():
        ids = list(deliveries.filter(state=State.FAILED).select_for_update().values_list("pk", flat=True))
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                state=State.PENDING, attempts=0, next_attempt_at=timezone.now()
            )
            transaction.on_commit(partial(enqueue, ids), robust=True)
    return len(ids)


def requeue_stale(*, grace=None, now=None) -> int:
    """Queue again the deliveries still 待发送 well after their time: their task was lost (a worker killed while
    sending, the process gone between the commit and the enqueue). Returns how many. A delivery queued twice is
    sent once: ``attempt`` locks it and skips it once it is no longer waiting."""
    now = now or timezone.now()
    grace = grace if grace is not None else datetime.timedelta(seconds=settings.DELIVERY_STALE_AFTER)
    ids = list(
        Delivery.objects.filter(state=State.PENDING, next_attempt_at__lt=now - grace)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    if ids:
        enqueue(ids)
    return len(ids)


# --- the channels ---------------------------------------------------------------------------------------------


def email_subject(notification) -> str:
    return " ".join(f"[建议办理] {notification.text}".split())  # a header holds no line breaks


def email_body(notification) -> str:
    lines = [f"{notification.recipient.display_name}：", "", notification.text]
    if notification.suggestion is not None:
        s = notification.suggestion
        lines.append(f"{s.number_label}《{s.title}》")
    if notification.event and notification.event.note:
        lines += ["", notification.event.note]
    lines += ["", "请登录建议办理系统查看。"]
    return "\n".join(lines)


def sms_text(notification) -> str:
    return f"【建议办理】{notification.text}请登录建议办理系统查看。"


def _send_email(delivery):
    n = delivery.notification
    message = EmailMessage(email_subject(n), email_body(n), settings.DEFAULT_FROM_EMAIL, [delivery.address])
    mailers.default.send_messages([message])


def _send_sms(delivery):
    sms.backend().send(delivery.address, sms_text(delivery.notification))


SENDERS = {Channel.EMAIL: _send_email, Channel.SMS: _send_sms}
