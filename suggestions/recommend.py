"""建议交办单位: the lead unit and co-units proposed for a text, from how the most similar past suggestions were
assigned and whether those assignments held, each with the reason the office reads:
「最相似的10件中8件由住建局主办，均未调整」.

The neighbours are ``search.search``'s most similar suggestions (any session, never ``exclude``). Each votes with
the square of its BM25 ``share`` (how much of the text's weight it matches: the closest weigh most) for the units that led it (主办 or 分办: votes for
the lead) and, separately, for those that supported it (协办: votes for co-units). A vote is weighted by whether
the assignment held: one that was moved away (已调整) counts against its unit (``MOVED_AWAY``), one whose first-
round reply the deputy rated counts by the rating (``RATING_WEIGHT``: 满意 up, 不满意 down), and one that stayed
although the unit asked to have it moved (申请调整, refused by the office: the unit objected) counts less
(``OBJECTED``), said in the reason: 「…，其中1件曾申请调整未获同意」. A unit's score is its votes over the
neighbours' total weight (about -0.6 to 1.25); units no longer active are left out.

Database work: one search (``search.search``) and one query for the found suggestions' parts (whether a part
had a refused request is an EXISTS in it).
"""

from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef

from .models import Assignment, HandlingUnit, RatingLevel, ReassignmentRequest, Ruling

NEIGHBOURS = 10
MIN_SHARE = 0.05  # a neighbour matching less of the text's weight says nothing about it
MOVED_AWAY = -0.5  # an assignment reassigned away: a vote against its unit
OBJECTED = 0.5  # an assignment kept although its unit asked to have it moved: half a vote
RATING_WEIGHT = {RatingLevel.SATISFIED: 1.25, RatingLevel.BASIC: 1.0, RatingLevel.UNSATISFIED: 0.5}
LEAD_ROLES = (Assignment.Role.LEAD, Assignment.Role.SEPARATE)


@dataclass
class _Tally:
    unit: HandlingUnit
    score: float = 0.0
    cases: set = field(default_factory=set)  # neighbours the unit took part in
    moved: set = field(default_factory=set)  # ... and was moved away from
    objected: set = field(default_factory=set)  # ... and kept, its request to move it refused
    satisfied: set = field(default_factory=set)  # ... and whose first reply the deputy rated 满意


@dataclass(frozen=True)
class Proposal:
    unit: HandlingUnit
    score: float
    reason: str

    def __iter__(self):  # (unit, score, reason)
        return iter((self.unit, self.score, self.reason))


def proposals(text, *, exclude=None, top=3, neighbours=None):
    """{"lead": [...], "co": [...]}: the ``Proposal`` rows for the lead unit and for co-units, best first."""
    from . import search

    neighbours = neighbours or NEIGHBOURS
    hits = [h for h in search.search(text, exclude=exclude, limit=neighbours) if h.share >= MIN_SHARE]
    empty = {"lead": [], "co": []}
    if not hits:
        return empty
    share = {h.suggestion_id: h.share**2 for h in hits}  # the closest weigh most
    parts = (
        Assignment.objects.filter(suggestion_id__in=share, unit__is_active=True)
        .select_related("unit")
        .annotate(
            first_rating=F("suggestion__first_rating"),
            refused_request=Exists(
                ReassignmentRequest.objects.filter(assignment=OuterRef("pk"), status=Ruling.REFUSED)
            ),
        )
        .order_by("suggestion_id", "round", "pk")
    )
    tallies = {"lead": {}, "co": {}}
    for part in parts:
        kind = "lead" if part.role in LEAD_ROLES else "co"
        tally = tallies[kind].setdefault(part.unit_id, _Tally(part.unit))
        if part.suggestion_id in tally.cases:
            continue  # a unit counts once per neighbour (a second round, say)
        tally.cases.add(part.suggestion_id)
        weight = share[part.suggestion_id]
        if part.state == Assignment.State.REASSIGNED:
            tally.moved.add(part.suggestion_id)
            tally.score += weight * MOVED_AWAY
            continue
        rating = part.first_rating
        if rating == RatingLevel.SATISFIED:
            tally.satisfied.add(part.suggestion_id)
        if part.refused_request:
            tally.objected.add(part.suggestion_id)
            weight *= OBJECTED
        tally.score += weight * RATING_WEIGHT.get(rating, 1.0)
    total = sum(share.values())
    found = len(hits)
    result = dict(empty)
    for kind, verb in (("lead", "主办"), ("co", "协办")):
        ranked = sorted(
            (t for t in tallies[kind].values() if t.score > 0),
            key=lambda t: (-t.score, t.unit.order, t.unit.name),
        )
        result[kind] = [
            Proposal(t.unit, round(t.score / total, 4), _reason(t, found, verb)) for t in ranked[:top]
        ]
    return result


def recommend_units(text, exclude=None, top=3, *, role="lead"):
    """The units proposed to lead (``role="lead"``) or support (``role="co"``) a suggestion of ``text``, as
    (unit, score, reason), best first; ``exclude``: a suggestion's id never used (its own assignment)."""
    return proposals(text, exclude=exclude, top=top)[role]


def _reason(tally, found, verb):
    name = tally.unit.short_name or tally.unit.name
    cases = len(tally.cases)
    moved = len(tally.moved)
    held = cases - moved
    if moved == 0:
        held_text = "均未调整" if cases > 1 else "未调整"
    elif held == 0:
        held_text = f"{moved}件均已调整给其他单位"
    else:
        held_text = f"其中{moved}件已调整给其他单位"
    reason = f"最相似的{found}件中{cases}件由{name}{verb}，{held_text}"
    if tally.objected:
        reason += f"，其中{len(tally.objected)}件曾申请调整未获同意"
    if tally.satisfied:
        reason += f"，{len(tally.satisfied)}件代表初次评价满意"
    return reason
