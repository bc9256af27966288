"""承办单位办理工作考核: a score per handling unit for the suggestions of a scope (usually one session), from
measured items, each worth the points ``rules.get("assessment_weights")`` gives it.

    scores = assessment.unit_scores(Suggestion.objects.visible_to(user).filter(session=session))

Each item is a share (done ÷ counted) of the unit's own parts in the government-handled suggestions, and earns
that share of its points; an item with nothing to count (no commitment due yet) earns its full points and says
so. Three grouped queries whatever the number of units: the parts, the replies, the ratings. The page
(``views.assessment``), the statistics workbook's sheet 「承办单位考核」 and the tests read these rows.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from . import rules
from .models import Assignment, ContactRecord, Rating, RatingLevel, Reply
from .statistics import NOT_HANDLED

BASIC_SHARE = 0.5  # a 基本满意 rating earns half of a 满意

# key: (name, what it measures) in the order every table shows them; the weights' keys are these.
ITEMS = {
    "signed_on_time": ("按时签收", "在申请调整期限内签收的交办件 ÷ 应签收的交办件（主办、协办、分办）"),
    "contacted": ("答复前沟通", "答复前与代表有沟通记录的答复件 ÷ 已答复件（主办、分办）"),
    "replied_on_time": (
        "按期答复",
        "在期限内答复（协办单位：报送协办意见）的件数 ÷（已完成件 + 超过期限仍未完成的件）",
    ),
    "returned": ("答复退回", "未被政府办退回的答复 ÷ 报送的答复（退回越少得分越高）"),
    "satisfaction": ("代表评价", f"初次办理的代表评价：满意计满分，基本满意计{BASIC_SHARE:g}，不满意不计分"),
    "commitments_kept": ("承诺落实", "到期的承诺事项中按期落实的 ÷ 到期的承诺事项"),
}


@dataclass(frozen=True)
class ItemScore:
    key: str
    name: str
    measured: str  # 8/10, 满意3、基本满意1、不满意0; 无 when there is nothing to count
    share: float | None  # the part of the weight earned (None: nothing to count, full points)
    points: float
    weight: float


@dataclass(frozen=True)
class UnitScore:
    rank: int
    unit_id: int
    unit: str
    score: float
    weight: float  # the most a unit can earn: the weights' sum
    items: list[ItemScore]


def weights() -> dict:
    """The points of each item, in ``ITEMS``' order: the rules' defaults with the office's file applied."""
    table = rules.get("assessment_weights")
    return {key: table.get(key, 0) for key in ITEMS}


def _item(key, weight, done, counted, measured=None):
    share = done / counted if counted else None
    points = weight if share is None else weight * share
    shown = measured if counted else "无（按满分计）"
    return ItemScore(key, ITEMS[key][0], shown or f"{done}/{counted}", share, round(points, 1), weight)


def unit_scores(suggestions, today: datetime.date | None = None) -> list[UnitScore]:
    """The units with a part in the government-handled ``suggestions``, best score first (then the units'
    order), each with its items."""
    today = today or timezone.localdate()
    handled = suggestions.exclude(state__in=NOT_HANDLED).order_by()
    role, state = Assignment.Role, Assignment.State
    answering = Q(role__in=[role.LEAD, role.SEPARATE])
    replied = answering & Q(state=state.REPLIED)
    finished = replied | Q(role=role.CO, state=state.OPINION_SENT)  # a co-unit's part ends with its opinion
    contact_before = ContactRecord.objects.filter(
        assignment=OuterRef("pk"),
        contacted_on__lte=TruncDate(ExpressionWrapper(OuterRef("completed_at"), DateTimeField())),
    )
    windowed = Q(reassignment_until__isnull=False) & (
        Q(signed_at__isnull=False) | Q(reassignment_until__lt=today)
    )
    parts = {
        r["unit_id"]: r
        for r in Assignment.objects.current()
        .filter(suggestion__in=handled)
        .values("unit_id", "unit__name", "unit__order")
        .annotate(
            to_sign=Count("pk", filter=windowed),
            signed_on_time=Count("pk", filter=windowed & Q(signed_at__date__lte=F("reassignment_until"))),
            replied=Count("pk", filter=replied),
            contacted=Count("pk", filter=replied & Q(Exists(contact_before))),
            on_time=Count("pk", filter=finished & Q(completed_at__date__lte=F("deadline"))),
            finished=Count("pk", filter=finished),
            late=Count("pk", filter=Assignment.late_condition(today)),
        )
        .order_by()
    }
    replies = {
        r["assignment__unit_id"]: r
        for r in Reply.objects.filter(assignment__suggestion__in=handled)
        .exclude(assignment__state=state.REASSIGNED)
        .values("assignment__unit_id")
        .annotate(
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            returned=Count("pk", filter=Q(state=Reply.State.RETURNED)),
            due=Count("pk", filter=Q(state=Reply.State.ACCEPTED, commitment_due__lte=today)),
            kept=Count(
                "pk",
                filter=Q(
                    state=Reply.State.ACCEPTED,
                    commitment_due__lte=today,
                    commitment_done_on__lte=F("commitment_due"),
                ),
            ),
        )
        .order_by()
    }
    ratings = {
        r["reply__assignment__unit_id"]: r
        for r in Rating.objects.filter(reply__assignment__suggestion__in=handled, reply__assignment__round=1)
        .exclude(reply__assignment__state=state.REASSIGNED)
        .values("reply__assignment__unit_id")
        .annotate(
            rated=Count("pk"),
            satisfied=Count("pk", filter=Q(overall=RatingLevel.SATISFIED)),
            basic=Count("pk", filter=Q(overall=RatingLevel.BASIC)),
            unsatisfied=Count("pk", filter=Q(overall=RatingLevel.UNSATISFIED)),
        )
        .order_by()
    }
    units = [
        (r["unit_id"], r["unit__name"])
        for r in sorted(parts.values(), key=lambda r: (r["unit__order"], r["unit__name"]))
    ]
    w = weights()
    total_weight = sum(w.values())
    scored = []
    for pk, name in units:
        p = parts[pk]
        r = replies.get(pk, {"submitted": 0, "returned": 0, "due": 0, "kept": 0})
        g = ratings.get(pk, {"rated": 0, "satisfied": 0, "basic": 0, "unsatisfied": 0})
        submitted, returned = r["submitted"], r["returned"]
        items = [
            _item("signed_on_time", w["signed_on_time"], p["signed_on_time"], p["to_sign"]),
            _item("contacted", w["contacted"], p["contacted"], p["replied"]),
            _item("replied_on_time", w["replied_on_time"], p["on_time"], p["finished"] + p["late"]),
            _item(
                "returned",
                w["returned"],
                submitted - returned,
                submitted,
                f"退回{returned}次/报送{submitted}次",
            ),
            _item(
                "satisfaction",
                w["satisfaction"],
                g["satisfied"] + BASIC_SHARE * g["basic"],
                g["rated"],
                f"满意{g['satisfied']}、基本满意{g['basic']}、不满意{g['unsatisfied']}",
            ),
            _item("commitments_kept", w["commitments_kept"], r["kept"], r["due"]),
        ]
        score = round(sum(i.points for i in items), 1)
        scored.append((score, pk, name, items))
    scored.sort(key=lambda row: -row[0])  # stable: equal scores keep the units' order
    ranked, rank, previous = [], 0, None
    for n, (score, pk, name, items) in enumerate(scored, start=1):
        if score != previous:
            rank, previous = n, score
        ranked.append(UnitScore(rank, pk, name, score, total_weight, items))
    return ranked
