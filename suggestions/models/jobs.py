"""Long work done in the background for one person (``suggestions.jobs``): an export, the statistics workbook,
the handling report or an import. The request creates the row and enqueues the task; the task counts its rows
in ``done`` of ``total`` as it goes (the progress bar reads them) and leaves the file, or what it wrote, here.
「我的下载」 lists a person's jobs; after ``expires_at`` the file and the row are pruned."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobKind(models.TextChoices):
    SUMMARY = "summary", "建议办理情况汇总表"
    STATISTICS = "statistics", "建议办理情况统计表"
    REPORT = "report", "办理工作情况报告"
    IMPORT = "import", "导入建议清单"
    HISTORY = "history", "导入往届建议"


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Job(models.Model):
    Kind = JobKind
    State = JobState

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    parameters = models.JSONField("参数", default=dict, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("共计", default=0)
    file = models.FileField("文件", upload_to="downloads/%Y/%m/", blank=True, max_length=200)
    filename = models.CharField("下载文件名", max_length=200, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("失败原因", blank=True)
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("保留至", db_index=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_recent")]

    def __str__(self):
        return f"{self.title}（{self.get_state_display()}）"

    @property
    def is_finished(self):
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())
