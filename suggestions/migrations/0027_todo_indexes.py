"""Partial indexes for the homes' to-do cards (issue 12): the open commitments by due date, the 不满意 ratings by date, and
the key suggestions by leader and session. Each holds a few percent of its table."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0026_figure_tallies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(
                condition=models.Q(("overall", 1)), fields=["rated_at", "id"], name="rating_unsatisfied"
            ),
        ),
        migrations.AddIndex(
            model_name="reply",
            index=models.Index(
                condition=models.Q(
                    ("commitment_done_on__isnull", True),
                    ("commitment_due__isnull", False),
                    ("state", "accepted"),
                ),
                fields=["commitment_due", "id"],
                name="reply_commitment_open",
            ),
        ),
        migrations.AddIndex(
            model_name="suggestion",
            index=models.Index(
                condition=models.Q(("is_key", True)), fields=["leader", "session"], name="suggestion_key"
            ),
        ),
    ]
