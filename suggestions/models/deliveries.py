"""消息发送: each message that leaves the system (an email, a text message) for one notification.

The notification is the in-app item; a ``Delivery`` is one attempt-tracked copy of it sent out by one channel to
one address. Both are written in the transaction of the action that caused them; a background task sends the
delivery after the commit and retries it (``suggestions.deliveries``), so the office sees what failed and why.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .events import Notification


class Channel(models.TextChoices):
    EMAIL = "email", "邮件"
    SMS = "sms", "短信"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Delivery(models.Model):
    Channel = Channel
    State = DeliveryState

    notification = models.ForeignKey(
        Notification, verbose_name="通知", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    address = models.CharField("地址", max_length=254, help_text="邮箱地址或手机号码")
    state = models.CharField(
        "状态", max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    last_error = models.CharField("最近一次错误", max_length=500, blank=True)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息发送"
        verbose_name_plural = "消息发送"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_state_due")]
        constraints = [
            models.CheckConstraint(name="delivery_channel_valid", condition=Q(channel__in=Channel.values)),
            models.CheckConstraint(name="delivery_state_valid", condition=Q(state__in=DeliveryState.values)),
            models.CheckConstraint(
                name="delivery_sent_has_time",
                condition=~Q(state=DeliveryState.SENT) | Q(sent_at__isnull=False),
                violation_error_message="已发送的消息必须有发送时间。",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.address} {self.get_state_display()}"
