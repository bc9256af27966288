"""The list's keyword search at a province's scale: 编号, 案由, 内容, the lead and joint deputies, the units of the
current parts and the readable replies' 文号, two-character terms included, through one index.

Each suggestion has a ``SuggestionSearchText`` row: its title and content (``text``) and its tokens (``grams``):
the character bigrams of the title, the content and every reply's 文号, and ``d:<id>`` / ``u:<id>`` for its
deputies and the units of its current parts. Trigrams cannot serve a two-character term (供热), bigrams can:
a suggestion that contains a term holds every bigram of it. On PostgreSQL a GIN index on the tokens as an
array (migration 0023) finds the suggestions holding all the term's bigrams (``@>``) or one of the deputies' or
units' tokens whose name matches (``&&``), and only those candidates are checked in full: the title or content
contains the term, or a reply the reader may read (``access.reply_condition``) has it in its 文号. The
deputies and units are matched by id, so renaming one needs no refresh; the ids are read first (two small
queries on tables of hundreds of rows).

SQLite (a county's few thousand suggestions) answers the same condition without the index: the term in the
text, the replies, the deputies' and units' ids as ``IN`` conditions (``condition`` below).

``refresh(ids)`` rewrites the rows of some suggestions; registration and the history import call it, and
``workflow.perform`` after each action in ``REFRESHING_ACTIONS``.
"""

from types import SimpleNamespace

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import Func, Q, TextField, Value

# The actions that change what a search document holds: the title, content and deputies (edit), the units of
# the current parts (assign, add_unit, rule_reassignment, rehandle, merge/split repeat the main one's parts),
# a reply's 文号 (draft_reply, also when a returned draft is written again).
REFRESHING_ACTIONS = frozenset(
    {
        "edit",
        "assign",
        "add_unit",
        "rule_reassignment",
        "rehandle",
        "draft_reply",
        "merge",
        "split",
    }
)
CHUNK = 1000


def grams(text: str) -> set[str]:
    """The distinct character bigrams of ``text``, lower-cased, without those holding a space: a text that
    contains a term holds every bigram of the term."""
    text = (text or "").lower()
    return {text[i : i + 2] for i in range(len(text) - 1) if not (text[i].isspace() or text[i + 1].isspace())}


def _models():
    from .models import Assignment, Reply, Suggestion, SuggestionSearchText

    return SimpleNamespace(
        Suggestion=Suggestion,
        Joint=Suggestion.joint_deputies.through,
        Assignment=Assignment,
        Reply=Reply,
        SuggestionSearchText=SuggestionSearchText,
    )


def historical_models(apps):
    """The same models as a migration sees them (``fill``)."""
    Suggestion = apps.get_model("suggestions", "Suggestion")
    return SimpleNamespace(
        Suggestion=Suggestion,
        Joint=Suggestion.joint_deputies.through,
        Assignment=apps.get_model("suggestions", "Assignment"),
        Reply=apps.get_model("suggestions", "Reply"),
        SuggestionSearchText=apps.get_model("suggestions", "SuggestionSearchText"),
    )


def refresh(ids, *, models=None) -> None:
    """Write the search rows of the suggestions ``ids`` from what they hold now (five queries a thousand)."""
    m = models or _models()
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        _refresh(ids[start : start + CHUNK], m)


def _refresh(ids, m):
    if not ids:
        return
    tokens = {pk: set() for pk in ids}
    texts = {}
    for pk, title, content, lead in m.Suggestion.objects.filter(pk__in=ids).values_list(
        "pk", "title", "content", "lead_deputy_id"
    ):
        texts[pk] = f"{title}\n{content}"
        tokens[pk] |= grams(title) | grams(content)
        tokens[pk].add(f"d:{lead}")
    for pk, deputy in m.Joint.objects.filter(suggestion_id__in=ids).values_list("suggestion_id", "deputy_id"):
        tokens[pk].add(f"d:{deputy}")
    parts = m.Assignment.objects.filter(suggestion_id__in=ids).exclude(state="reassigned")  # ``current()``
    for pk, unit in parts.values_list("suggestion_id", "unit_id"):
        tokens[pk].add(f"u:{unit}")
    replies = m.Reply.objects.filter(assignment__suggestion_id__in=ids)
    for pk, number in replies.values_list("assignment__suggestion_id", "document_number"):
        tokens[pk] |= grams(number)
    rows = [
        m.SuggestionSearchText(suggestion_id=pk, text=text, grams=" ".join(sorted(tokens[pk])))
        for pk, text in texts.items()
    ]
    m.SuggestionSearchText.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["suggestion"], update_fields=["text", "grams"]
    )


def fill(models=None) -> int:
    """Write the search rows of every suggestion; the number written."""
    m = models or _models()
    ids = list(m.Suggestion.objects.order_by("pk").values_list("pk", flat=True))
    refresh(ids, models=m)
    return len(ids)


class _Tokens(Func):
    """``string_to_array(grams, ' ')``: the expression the GIN index of migration 0023 is built on."""

    function = "string_to_array"
    output_field = ArrayField(TextField())


def uncased(value: str) -> bool:
    """``value`` holds no letter with a case (供热, 12号): ``UPPER(x) LIKE '%value%'`` is then ``x`` containing
    ``value`` (upper-casing changes no character of the term, and makes none)."""
    return value.upper() == value.lower()


def condition(value: str, *, readable: Q, using: str = "default", all_units=None) -> Q:
    """The suggestions whose text, deputies, units or readable replies' 文号 contain ``value`` (not its
    number: the filter adds that), as a condition on ``Suggestion``. ``readable``: the replies the reader
    may read, a condition on ``Reply``. ``all_units``: every unit, when the page has read them (the list's
    ``ChoiceLists``): an uncased term's units are found among them, without a query."""
    from .models import Deputy, HandlingUnit, Reply, Suggestion, SuggestionSearchText

    deputies = list(Deputy.objects.using(using).filter(name__icontains=value).values_list("pk", flat=True))
    if all_units is not None and uncased(value):
        units = [unit.pk for unit in all_units if value in unit.name or value in unit.short_name]
    else:
        units = list(
            HandlingUnit.objects.using(using)
            .filter(Q(name__icontains=value) | Q(short_name__icontains=value))
            .values_list("pk", flat=True)
        )
    replies = Reply.objects.filter(readable, document_number__icontains=value)
    if connections[using].vendor != "postgresql":
        joint = Suggestion.joint_deputies.through.objects.filter(deputy_id__in=deputies)
        parts = _models().Assignment.objects.current().filter(unit_id__in=units)
        texts = SuggestionSearchText.objects.filter(text__icontains=value)
        return (
            Q(pk__in=texts.values("suggestion_id"))
            | Q(lead_deputy_id__in=deputies)
            | Q(pk__in=joint.values("suggestion_id"))
            | Q(pk__in=parts.values("suggestion_id"))
            | Q(pk__in=replies.values("assignment__suggestion_id"))
        )
    docs = SuggestionSearchText.objects.annotate(tokens=_Tokens("grams", Value(" ")))
    # an uncased term: ``text LIKE``, without upper-casing each candidate's text (供热: 2,691, 10 -> 6 ms)
    in_text = Q(text__contains=value) if uncased(value) else Q(text__icontains=value)
    term = sorted(grams(value))
    if term:
        # the replies are read for the candidates only: left to itself the planner hashed every reply's 文号
        # (a pass over all of them, 100 ms at 100,000)
        candidates = docs.filter(tokens__contains=term).values("suggestion_id")
        replies = replies.filter(assignment__suggestion_id__in=candidates)
        found = Q(tokens__contains=term) & (
            in_text | Q(suggestion_id__in=replies.values("assignment__suggestion_id"))
        )
    else:  # one character (or letters between spaces): the texts are read, not the index
        found = in_text | Q(suggestion_id__in=replies.values("assignment__suggestion_id"))
    ids = [f"d:{pk}" for pk in deputies] + [f"u:{pk}" for pk in units]
    if ids:
        found |= Q(tokens__overlap=ids)
    return Q(pk__in=docs.filter(found).values("suggestion_id"))
