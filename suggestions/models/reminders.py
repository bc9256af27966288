"""催办 reminders sent automatically before and after an assignment's deadline (see ``suggestions.reminders``).

One row per assignment, stage and deadline: the unique constraint is what makes the daily command send each
reminder once, even when two runs overlap. The deadline is part of the key so that an extended deadline gets
its own reminders.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .suggestion import Assignment


class ReminderStage(models.TextChoices):
    WEEK_BEFORE = "week_before", "提前提醒"
    DUE_TODAY = "due_today", "到期提醒"
    OVERDUE = "overdue", "超期催办"


class Reminder(models.Model):
    Stage = ReminderStage

    assignment = models.ForeignKey(
        Assignment, verbose_name="交办", on_delete=models.CASCADE, related_name="reminders"
    )
    stage = models.CharField("催办阶段", max_length=20, choices=Stage.choices)
    deadline = models.DateField("针对的办理期限")
    sent_at = models.DateTimeField("发送时间", default=timezone.now)

    class Meta:
        verbose_name = "自动催办"
        verbose_name_plural = "自动催办"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "stage", "deadline"],
                name="one_reminder_per_stage_and_deadline",
                violation_error_message="该期限的这一阶段已催办过。",
            ),
            models.CheckConstraint(name="reminder_stage_valid", condition=Q(stage__in=ReminderStage.values)),
        ]

    def __str__(self):
        return f"{self.assignment} {self.get_stage_display()}（{self.deadline}）"
