"""批量办理: one action on several suggestions chosen on the list, each through ``workflow.perform`` on its own.

    result = run_batch(user=office, name="assign", ids=[3, 5, 8], data={"lead_unit": unit, "co_units": []})
    result.message  # 已交办2件：第1号、第2号；未办理1件：第4号（建议当前状态为「已交办」, 不能交办。）

Each suggestion is its own transaction (``perform`` locks, checks and saves it), so a refused one changes
nothing and does not undo the others; the result says which were done and which were refused, and why. Only
suggestions ``user`` may see are touched: any other id is counted as not found, its number never shown.
"""

from dataclasses import dataclass, field

from . import workflow
from .models import Suggestion, SupervisionNote

MAX_BATCH = 100  # a list page shows 30; more than this in one request is not a person ticking rows


@dataclass(frozen=True)
class BatchAction:
    name: str  # as the form posts it
    label: str  # in the batch bar
    action: str  # the workflow action each suggestion goes through
    done: str  # how the result names what was done
    fixed: dict = field(default_factory=dict)  # what the workflow action is always given

    @property
    def permission(self):
        return workflow.ACTIONS[self.action].permission


BATCH_ACTIONS = {
    a.name: a
    for a in (
        BatchAction("assign", "交办给", "assign", "已交办"),
        BatchAction("chase", "催办", "supervise", "已催办", {"kind": SupervisionNote.Kind.CHASE}),
        BatchAction("close", "办结", "close", "已办结"),
    )
}


def batch_actions_for(user) -> list[BatchAction]:
    """The batch actions ``user``'s role may take: the batch bar offers these and no other."""
    return [a for a in BATCH_ACTIONS.values() if user.has_perm(a.permission)]


@dataclass
class BatchResult:
    action: BatchAction
    done: list[Suggestion]
    refused: list[tuple[Suggestion, str]]
    missing: int

    @property
    def level(self):
        if not self.refused and not self.missing:
            return "success"
        return "warning" if self.done else "error"

    @property
    def message(self) -> str:
        parts = []
        if self.done:
            labels = "、".join(s.number_label for s in self.done)
            parts.append(f"{self.action.done}{len(self.done)}件：{labels}")
        if self.refused:
            by_reason: dict[str, list[str]] = {}
            for s, reason in self.refused:
                by_reason.setdefault(reason, []).append(s.number_label)
            groups = "、".join(f"{'、'.join(labels)}（{reason}）" for reason, labels in by_reason.items())
            parts.append(f"未办理{len(self.refused)}件：{groups}")
        if self.missing:
            parts.append(f"未找到{self.missing}件（已不存在或您无权查看）")
        text = "；".join(parts)
        return text if text.endswith("）") else text + "。"


def run_batch(*, user, name, ids, data, at=None) -> BatchResult:
    """Take batch action ``name`` on each suggestion in ``ids`` that ``user`` may see, in number order."""
    batch = BATCH_ACTIONS[name]
    ids = list(dict.fromkeys(ids))[:MAX_BATCH]
    found = list(Suggestion.objects.visible_to(user).filter(pk__in=ids).order_by("session_id", "number"))
    result = BatchResult(batch, done=[], refused=[], missing=len(ids) - len(found))
    for suggestion in found:
        try:
            workflow.perform(batch.action, user=user, suggestion=suggestion, at=at, **batch.fixed, **data)
        except workflow.WorkflowError as error:
            result.refused.append((suggestion, error.message))
        else:
            result.done.append(suggestion)
    return result
