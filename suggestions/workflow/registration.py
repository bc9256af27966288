"""登记: a suggestion's first entry, typed in by the office or imported from the congress office's list.

One typed in and five thousand imported obey the same rules and get the same messages: ``register`` is
``register_many`` with one entry. The rules are checked here, in Python, so an import costs a few queries per
500 rows; the database's constraints still stand behind them and a race ends in a message, not a 500.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import listsearch, search
from ..formats import number_label
from ..models import Event, Suggestion
from .base import WorkflowError, _first_message, actor_name, refuse_invisible

# What the office types in for a suggestion; everything else on it is kept by the workflow's actions.
REGISTRATION_FIELDS = (
    "session",
    "number",
    "title",
    "content",
    "source",
    "submitted_on",
    "lead_deputy",
    "joint_deputies",
    "delegation",
    "category",
    "leader",
    "is_key",
    "supervising_leader",
    "key_order",
    "remarks",
)
# What "edit" may correct later: all of it but the session (a number is unique within its session).
EDITABLE_FIELDS = frozenset(REGISTRATION_FIELDS) - {"session"}

BATCH = 500
_LABELS = {f.name: str(f.verbose_name) for f in Suggestion._meta.fields}
_RELATIONS = [f.name for f in Suggestion._meta.concrete_fields if f.is_relation]
_TEXTS = [
    f.name for f in Suggestion._meta.concrete_fields if f.get_internal_type() in ("CharField", "TextField")
]
# Every text field is checked for invisible characters (base.INVISIBLE: controls, NUL among them, which
# PostgreSQL refuses and Word and Excel cannot hold; bidi and zero-width characters) on every registration and edit.


class RegistrationError(WorkflowError):
    """A refused registration; ``index`` is the entry of ``register_many`` it concerns (None: all of them)."""

    def __init__(self, message, field=None, index=None):
        super().__init__(message, field=field)
        self.index = index


def register(*, user, at=None, joint_deputies=(), **fields) -> Suggestion:
    """登记 one suggestion: ``fields`` are the model's (``REGISTRATION_FIELDS``)."""
    return register_many(user=user, at=at, entries=[dict(fields, joint_deputies=joint_deputies)])[0]


def register_many(*, user, entries, at=None) -> list[Suggestion]:
    """登记 every entry (a dict of ``REGISTRATION_FIELDS``) in one transaction: all of them or none.

    Raises ``RegistrationError`` naming the entry and the field when one may not be registered."""
    from . import REGISTER

    if not user.has_perm(REGISTER.permission):
        raise RegistrationError("您没有权限登记建议。")
    at = at or timezone.now()
    suggestions, joint = [], []
    for index, entry in enumerate(entries):
        entry = dict(entry)
        unknown = set(entry) - set(REGISTRATION_FIELDS)
        if unknown:
            raise RegistrationError(f"登记时不能填写「{'、'.join(sorted(unknown))}」。", index=index)
        joint_deputies = entry.pop("joint_deputies", None) or ()
        try:
            refuse_invisible(entry, _LABELS)
        except WorkflowError as exc:
            raise RegistrationError(exc.message, field=exc.field, index=index) from exc
        suggestion = Suggestion(state=Suggestion.State.REGISTERED, created_by=user, created_at=at, **entry)
        try:
            settle_registration(suggestion)
        except WorkflowError as exc:
            raise RegistrationError(exc.message, field=exc.field, index=index) from exc
        suggestions.append(suggestion)
        joint.append([d for d in joint_deputies if d.pk != suggestion.lead_deputy_id])
    _check_numbers(suggestions)
    try:
        with transaction.atomic():
            Suggestion.objects.bulk_create(suggestions, batch_size=BATCH)
            through = Suggestion.joint_deputies.through
            through.objects.bulk_create(
                [
                    through(suggestion_id=s.pk, deputy_id=d.pk)
                    for s, deputies in zip(suggestions, joint, strict=True)
                    for d in deputies
                ],
                batch_size=BATCH,
            )
            name = actor_name(user)
            Event.objects.bulk_create(
                [_registered_event(REGISTER, s, user, name, at) for s in suggestions], batch_size=BATCH
            )
            search.index(suggestions)  # 相似建议: their words, for the search across sessions
            listsearch.refresh([s.pk for s in suggestions])  # the list's keyword search
    except IntegrityError as exc:  # a number taken by someone registering at the same moment
        raise RegistrationError("本届次会议中已有该编号的建议，请刷新后重试。", field="number") from exc
    return suggestions


def settle_registration(suggestion):
    """The rules every registration and every edit obeys; the delegation defaults to the lead deputy's."""
    if suggestion.lead_deputy_id and not suggestion.delegation_id:
        suggestion.delegation_id = suggestion.lead_deputy.delegation_id
    try:
        suggestion.clean_fields(exclude=_RELATIONS)  # the related objects came from the database already
    except Exception as exc:
        field = next(iter(getattr(exc, "message_dict", {})), None)
        raise WorkflowError(_first_message(exc), field=field) from exc
    refuse_invisible({name: getattr(suggestion, name) for name in _TEXTS}, _LABELS)
    for name in ("session", "lead_deputy", "delegation", "category"):
        if getattr(suggestion, f"{name}_id") is None:
            label = Suggestion._meta.get_field(name).verbose_name
            raise WorkflowError(f"请填写{label}。", field=name)
    if suggestion.number is None or suggestion.number < 1:
        raise WorkflowError("建议编号必须为正整数。", field="number")
    if suggestion.is_key and not suggestion.supervising_leader_id:
        raise WorkflowError("重点建议必须指定督办领导。", field="supervising_leader")
    check_key_order(suggestion)


def check_key_order(suggestion):
    """重点建议顺序: a place from 1 up, only on a key suggestion (one no longer key drops its place)."""
    if not suggestion.is_key:
        suggestion.key_order = None
    elif suggestion.key_order is not None and (
        isinstance(suggestion.key_order, bool)
        or not isinstance(suggestion.key_order, int)
        or not 1 <= suggestion.key_order <= 999
    ):
        raise WorkflowError("重点建议顺序应为1到999之间的整数。", field="key_order")


def _check_numbers(suggestions):
    """A number is unique within its session: among the entries, and against what is already registered."""
    by_session = {}
    for index, s in enumerate(suggestions):
        seen = by_session.setdefault(s.session_id, {})
        if s.number in seen:
            raise RegistrationError(
                f"{number_label(s.number)}出现了两次（第{seen[s.number] + 1}条和第{index + 1}条）。",
                field="number",
                index=index,
            )
        seen[s.number] = index
    for session_id, numbers in by_session.items():
        taken = Suggestion.objects.filter(session_id=session_id, number__in=list(numbers)).values_list(
            "number", flat=True
        )
        for number in sorted(taken)[:1]:
            raise RegistrationError("本届次会议中已有该编号的建议。", field="number", index=numbers[number])


def _registered_event(action, suggestion, user, name, at):
    return Event(
        suggestion=suggestion,
        action=action.name,
        label=action.label,
        actor=user,
        actor_name=name,
        from_state="",
        to_state=suggestion.state,
        note=f"登记{suggestion.number_label}建议",
        created_at=at,
    )
