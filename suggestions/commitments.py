"""落实跟踪 (回头看): a commitment-class reply's commitments kept in step with the reply, and the open ones the
office page lists by unit and age.

The ``Commitment`` rows are the source. The reply keeps the summary older code reads (``Reply.commitment``: the
texts joined with 「；」, ``commitment_due``: the latest target, ``commitment_done_on``: set once every commitment
is done, the day the last one was). A reply written with only those fields (the history import, the demo, an
older row) gets its one commitment from them (``ensure_for``).
"""

import datetime

from django.db.models import Count, F, Q

from .models import Commitment, Milestone, Reply


def replace(reply: Reply, items) -> list[Commitment]:
    """Write ``reply``'s commitments afresh from ``items`` (``{"text", "due", "milestones": [{"text", "due"}]}``)
    while the reply is a draft, then sync the reply's summary (unsaved: the caller saves the reply). A draft's
    commitments are the unit's working copy, seen by nobody outside it; once signed they are never rewritten."""
    if reply.state != Reply.State.DRAFT:
        raise ValueError("只有待签发的答复稿可以改写承诺事项。")
    reply.commitments.all().delete()
    made = []
    for n, item in enumerate(items, start=1):
        c = Commitment.objects.create(reply=reply, position=n, text=item["text"], due=item["due"])
        Milestone.objects.bulk_create(
            Milestone(commitment=c, text=m["text"], due=m["due"]) for m in item.get("milestones", ())
        )
        made.append(c)
    summarize(reply, made)
    return made


def summarize(reply: Reply, commitments) -> None:
    """Set the reply's summary fields from its commitments (not saved)."""
    commitments = list(commitments)
    if not commitments:
        reply.commitment, reply.commitment_due, reply.commitment_done_on = "", None, None
        return
    reply.commitment = "；".join(c.text.rstrip("。；") for c in commitments)
    reply.commitment_due = max(c.due for c in commitments)
    done = [c.done_on for c in commitments]
    reply.commitment_done_on = max(done) if all(done) else None


def ensure_for(reply: Reply) -> list[Commitment]:
    """The reply's commitments; one made from its summary fields when it has none yet."""
    found = list(reply.commitments.all())
    if found or not reply.commitment_due:
        return found
    done = reply.commitment_done_on
    return [
        Commitment.objects.create(
            reply=reply,
            text=reply.commitment,
            due=reply.commitment_due,
            done_on=done,
            percent=100 if done else 0,
        )
    ]


def open_commitments(*, today: datetime.date):
    """Open commitments of accepted replies, most days past their target first, with their unit and
    suggestion: the office's 落实跟踪 page."""
    return (
        Commitment.objects.filter(done_on__isnull=True, reply__state=Reply.State.ACCEPTED)
        .select_related("reply__assignment__unit", "reply__assignment__suggestion__session")
        .order_by("reply__assignment__unit__name", "due", "id")
    )


def kept_rows(commitments, today: datetime.date):
    """承诺事项按期落实率 per session: of the commitments whose target has passed (or that are done), how many
    were done by their target (a commitment done early counts at once, one not done counts once its target is
    reached). ``commitments``: those of the accepted replies counted. Rows of (session id, due, kept), one
    grouped query."""
    return (
        commitments.filter(Q(due__lte=today) | Q(done_on__isnull=False))
        .order_by()
        .values_list("reply__assignment__suggestion__session_id")
        .annotate(n_due=Count("pk"), n_kept=Count("pk", filter=Q(done_on__lte=F("due"))))
        .values_list("reply__assignment__suggestion__session_id", "n_due", "n_kept")
    )
