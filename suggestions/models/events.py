"""The append-only event log (a suggestion's timeline) and in-app notifications."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .suggestion import Assignment, Suggestion


class AppendOnlyError(Exception):
    pass


class Audience(models.TextChoices):
    """Who may read an event in a suggestion's timeline (and hear of it); the action table sets it."""

    ALL = "all", "所有能看到本建议的人"
    GOVERNMENT = "government", "政府办、分管领导和承办单位"
    OFFICE_UNIT = "office_unit", "政府办、分管领导和该承办单位"
    UNIT = "unit", "仅该承办单位"


class EventQuerySet(models.QuerySet):
    """``update()`` and ``delete()`` on many events at once would skip ``Event.save()`` and ``Event.delete()``:
    they are refused the same way. ``create`` and ``bulk_create`` append, and stay."""

    def visible_to(self, user):
        """The events ``user`` may read: of a suggestion they may open, meant for them (``access``)."""
        from ..access import event_condition

        return self.filter(event_condition(user), suggestion__in=Suggestion.objects.visible_to(user))

    def update(self, **kwargs):
        raise AppendOnlyError("办理日志只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("办理日志只能追加，不能删除。")

    delete.queryset_only = True  # as Django's: no ``Event.objects.delete()``


class Event(models.Model):
    """One thing that happened to a suggestion: who did what, when, from which state to which (the
    suggestion's, and the part's when the action was on one unit's part), and who may read it."""

    Audience = Audience

    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", on_delete=models.PROTECT, related_name="events"
    )
    assignment = models.ForeignKey(
        Assignment,
        verbose_name="交办",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    action = models.CharField("操作", max_length=30)
    label = models.CharField("操作名称", max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20, blank=True)
    assignment_from = models.CharField("承办原状态", max_length=20, blank=True)
    assignment_to = models.CharField("承办新状态", max_length=20, blank=True)
    audience = models.CharField("可见范围", max_length=20, choices=Audience.choices, default=Audience.ALL)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "办理日志"
        verbose_name_plural = "办理日志"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["suggestion", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("办理日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("办理日志只能追加，不能删除。")

    @property
    def from_state_label(self):
        return _state_label(Suggestion.State, self.from_state)

    @property
    def to_state_label(self):
        return _state_label(Suggestion.State, self.to_state)

    @property
    def assignment_from_label(self):
        return _state_label(Assignment.State, self.assignment_from)

    @property
    def assignment_to_label(self):
        return _state_label(Assignment.State, self.assignment_to)


def _state_label(states, value):
    if not value:
        return ""
    try:
        return states(value).label
    except ValueError:
        return value


class Notification(models.Model):
    """An item in a person's in-app list; the workflow creates them after its transaction commits."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        Event,
        verbose_name="事件",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=40, blank=True)
    text = models.CharField("内容", max_length=300)
    call = models.CharField("链接文字", max_length=20, blank=True, help_text="如 去签收、去审核、去评价")
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.text
