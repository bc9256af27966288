"""The figures' tallies kept per session (``suggestions.tallies``), and how the database tells them stale."""

from django.db import models

from .reference import CongressSession


class FigureRevision(models.Model):
    """How many times the rows a session's figures are counted from have been written: its suggestions and
    their parts, replies and commitments. Database triggers (migration 0026) add one in the writing
    transaction for each row inserted, updated or deleted, whatever wrote it (the workflow, an import, the
    admin, a raw ``UPDATE``), so a tally counted at an older revision is never read as fresh."""

    # No foreign key in the database: the triggers write these rows while Django's flush empties the tables
    # one by one (SQLite: with DELETE), and a session's row may outlive it (ids are never reused).
    session = models.OneToOneField(
        CongressSession,
        verbose_name="届次会议",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    revision = models.BigIntegerField("修订号", default=0)

    class Meta:
        verbose_name = "统计数据修订号"
        verbose_name_plural = "统计数据修订号"

    def __str__(self):
        return f"{self.session_id}：{self.revision}"


class FigureTally(models.Model):
    """A session's tallies (``statistics.tallies``) for one scope of suggestions (``all``, or a leader's
    portfolio ``leader:<id>``), counted on ``day`` at ``revision`` on ``basis`` (``statistics.basis``)."""

    session = models.ForeignKey(
        CongressSession, verbose_name="届次会议", on_delete=models.CASCADE, related_name="+"
    )
    scope = models.CharField("范围", max_length=40)
    day = models.DateField("统计日期")
    revision = models.BigIntegerField("修订号")
    basis = models.TextField("口径")
    tallies = models.JSONField("计数")

    class Meta:
        verbose_name = "统计计数"
        verbose_name_plural = "统计计数"
        constraints = [
            models.UniqueConstraint(fields=["session", "scope"], name="one_tally_per_session_scope")
        ]

    def __str__(self):
        return f"{self.session_id}·{self.scope}"
