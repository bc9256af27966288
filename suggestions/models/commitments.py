"""落实跟踪 (回头看): the commitments a commitment-class reply makes, each with its target date and optional
dated milestones, the reminders sent when a target passes, and the later suggestions that repeat one.

A commitment is the source; the reply's own ``commitment`` / ``commitment_due`` / ``commitment_done_on`` are
kept in step by ``suggestions.commitments.sync_reply`` (the texts joined, the latest target, the date the last
one was done), so the figures and pages that read the reply keep working.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..formats import date_cn
from .handling import Reply
from .suggestion import Suggestion


class Commitment(models.Model):
    """承诺事项: one thing a reply promises, by a target date; done when the unit says so."""

    reply = models.ForeignKey(
        Reply, verbose_name="答复", on_delete=models.CASCADE, related_name="commitments"
    )
    position = models.PositiveSmallIntegerField("序号", default=1)
    text = models.TextField("承诺事项")
    due = models.DateField("承诺完成时间")
    percent = models.PositiveSmallIntegerField("落实进度（%）", default=0)
    done_on = models.DateField("落实日期", null=True, blank=True)
    repeated_by = models.ManyToManyField(
        Suggestion,
        verbose_name="后续会议重复提出的建议",
        related_name="repeated_commitments",
        blank=True,
    )

    class Meta:
        verbose_name = "承诺事项"
        verbose_name_plural = "承诺事项"
        ordering = ["reply", "position", "id"]
        constraints = [
            models.CheckConstraint(name="commitment_percent_valid", condition=Q(percent__lte=100)),
            models.CheckConstraint(
                name="commitment_done_is_complete",
                condition=Q(done_on__isnull=True) | Q(percent=100),
                violation_error_message="已落实的承诺事项进度应为100%。",
            ),
        ]
        indexes = [models.Index(fields=["done_on", "due"])]

    def __str__(self):
        return f"{self.text[:30]}（承诺{date_cn(self.due)}完成）"

    @property
    def is_open(self):
        return self.done_on is None

    @property
    def kept_on_time(self):
        return self.done_on is not None and self.done_on <= self.due

    def days_past(self, today=None):
        """Days past the target date (0 when not yet due)."""
        return max(((today or timezone.localdate()) - self.due).days, 0)


class Milestone(models.Model):
    """A dated step of a commitment (e.g. 「3月底前完成设计」), optional."""

    commitment = models.ForeignKey(
        Commitment, verbose_name="承诺事项", on_delete=models.CASCADE, related_name="milestones"
    )
    text = models.CharField("阶段目标", max_length=200)
    due = models.DateField("计划时间")

    class Meta:
        verbose_name = "阶段目标"
        verbose_name_plural = "阶段目标"
        ordering = ["due", "id"]

    def __str__(self):
        return f"{date_cn(self.due)}：{self.text}"


class CommitmentReminder(models.Model):
    """A reminder sent once a commitment's target date passed while it is still open: once per commitment and
    target (unique), so a second run sends nothing and a changed target gets its own."""

    commitment = models.ForeignKey(
        Commitment, verbose_name="承诺事项", on_delete=models.CASCADE, related_name="reminders"
    )
    due = models.DateField("针对的承诺完成时间")
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "承诺到期提醒"
        verbose_name_plural = "承诺到期提醒"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "due"], name="one_reminder_per_commitment_and_due")
        ]

    def __str__(self):
        return f"{self.commitment}（{self.due}）"
