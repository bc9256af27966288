"""The open parts assigned before deadlines kept their rule: find the N months each deadline was counted with
(the one N from 1 to 12 that gives its date from its assignment date), so that entering a year's holidays counts
it again, and flag it 估算 when it runs into a year without a holiday schedule. A part whose deadline matches no
count (an extension granted, a date set by hand) keeps none, as the workflow does for an extension."""

import datetime

from django.db import migrations

OPEN_STATES = [
    "pending",
    "signed",
    "reassign_requested",
    "drafted",
    "revising",
    "signed_off",
    "submitted",
    "returned",
]
HANDLING = ["assigned", "in_handling", "rehandling"]
ANSWERING = ["lead", "separate"]


def forwards(apps, schema_editor):
    from suggestions import deadlines

    Assignment = apps.get_model("suggestions", "Assignment")
    Suggestion = apps.get_model("suggestions", "Suggestion")
    parts = Assignment.objects.filter(
        state__in=OPEN_STATES,
        suggestion__state__in=HANDLING,
        deadline_months__isnull=True,
        deadline__gte=datetime.date(2026, 1, 1),
    )
    touched = set()
    for a in parts.iterator():
        for months in range(1, 13):
            computed = deadlines.months_deadline(a.assigned_on, months)
            if computed.date == a.deadline:
                a.deadline_months, a.deadline_estimated = months, computed.estimated
                a.deadline_note = computed.explain()
                a.save(update_fields=["deadline_months", "deadline_estimated", "deadline_note"])
                touched.add(a.suggestion_id)
                break
            if computed.date > a.deadline:
                break
    for s in Suggestion.objects.filter(pk__in=touched):
        estimated = (
            Assignment.objects.filter(
                suggestion=s, round=s.round, role__in=ANSWERING, deadline_estimated=True
            )
            .exclude(state="reassigned")
            .exists()
        )
        if estimated != s.deadline_estimated:
            s.deadline_estimated = estimated
            s.save(update_fields=["deadline_estimated"])


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0018_holidays_and_estimated_deadlines")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
