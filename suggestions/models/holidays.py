"""节假日安排 entered by the office: the State Council's schedule for a year the ``chinese-calendar`` package
does not know yet (or a correction of one it does). ``suggestions.deadlines`` reads these days before the
package's; ``suggestions.holidays`` parses a year's file and saves it, all or nothing."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class HolidayKind(models.TextChoices):
    REST = "rest", "休息日"
    WORK = "work", "调休上班日"


class HolidayDay(models.Model):
    Kind = HolidayKind

    date = models.DateField("日期", unique=True)
    year = models.PositiveSmallIntegerField("年份", db_index=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=20, blank=True, help_text="如春节；调休上班日可不填")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(name="holiday_kind_valid", condition=Q(kind__in=HolidayKind.values)),
        ]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()
