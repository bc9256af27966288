"""The 已沟通 and 见面沟通 flags of each suggestion (``Suggestion.contacted`` / ``met``), kept by the workflow from
now on and filled here from the contact records already written; the figures' index carries them, so 沟通率 and
见面率 are counted in the figures' one pass (issue 12)."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef

FACE_TO_FACE = ("visit", "meeting", "site")  # ContactRecord.FACE_TO_FACE when this was written


def fill(apps, schema_editor):
    Suggestion = apps.get_model("suggestions", "Suggestion")
    ContactRecord = apps.get_model("suggestions", "ContactRecord")
    contacts = ContactRecord.objects.filter(assignment__suggestion=OuterRef("pk"))
    Suggestion.objects.filter(Exists(contacts)).update(contacted=True)
    Suggestion.objects.filter(Exists(contacts.filter(method__in=FACE_TO_FACE))).update(met=True)
    if schema_editor.connection.vendor == "postgresql":
        # the deferred foreign-key checks of the rows updated, now: PostgreSQL builds no index on a table with
        # trigger events pending in the transaction
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("suggestions", "0024_list_search_text"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="suggestion",
            name="suggestion_figures",
        ),
        migrations.AddField(
            model_name="suggestion",
            name="contacted",
            field=models.BooleanField(
                default=False, help_text="有任一沟通记录（含电话交流）", verbose_name="已沟通"
            ),
        ),
        migrations.AddField(
            model_name="suggestion",
            name="met",
            field=models.BooleanField(
                default=False, help_text="有登门走访、座谈或实地调研的沟通记录", verbose_name="见面沟通"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="suggestion",
            index=models.Index(
                fields=["session", "state"],
                include=(
                    "id",
                    "category",
                    "leader",
                    "supervising_leader",
                    "lead_unit",
                    "is_key",
                    "deadline",
                    "replied_at",
                    "result_class",
                    "rating",
                    "first_rating",
                    "rated_unsatisfied",
                    "contacted",
                    "met",
                ),
                name="suggestion_figures",
            ),
        ),
    ]
