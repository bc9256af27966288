"""Writing a plan, all rows or none: registration in bulk through ``workflow.register_many`` (exactly what
``workflow.register`` writes: the suggestion, its joint deputies, its 登记 event; row by row a 5,000-row list
took minutes, docs/benchmarks.md), then, with ``assign=True``, assignment row by row through
``workflow.perform("assign")``, like an assignment made on the suggestion's page."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import workflow
from ..formats import number_label
from .plan import ImportPlan
from .problems import ImportFailed, Problem

# A refusal from the workflow names a model field; the problem names the file's column.
FIELD_COLUMNS = {
    "number": "number",
    "title": "title",
    "lead_deputy": "lead_deputy",
    "delegation": "lead_deputy",
    "category": "category",
    "lead_unit": "lead_unit",
    "co_units": "co_units",
    "supervising_leader": "supervising_leader",
}

# Another registration or import (the same list, confirmed twice at once) took a number after the preview.
NUMBER_TAKEN_MEANWHILE = "建议编号与刚刚登记的建议冲突（可能有人同时在登记或导入），请重新预览后再导入。"


@dataclass
class ImportResult:
    registered: list
    assigned: int


def run_import(plan: ImportPlan, *, user, assign=False, at=None, progress=None) -> ImportResult:
    """Registers every row of ``plan`` (and, with ``assign``, assigns those with a matched lead unit) in one
    transaction: all rows or none. Raises ImportFailed, with nothing written, when any row cannot be.
    ``progress(n)`` is told each row done (registered, and assigned with ``assign``)."""
    if not plan.rows:
        raise ImportFailed(plan.errors or [Problem("文件中没有可导入的建议。")])
    if plan.errors:
        raise ImportFailed(plan.errors)
    if not user.has_perm(workflow.REGISTER.permission) or not user.has_perm("suggestions.import"):
        raise ImportFailed([Problem("您没有权限导入建议。")])
    at = at or timezone.now()
    assigned = 0
    try:
        with transaction.atomic():
            registered = _register_all(plan, user, at, assign)
            for done, (row, suggestion) in enumerate(zip(plan.rows, registered, strict=True), start=1):
                if assign and row.can_assign:
                    try:
                        workflow.perform(
                            "assign",
                            user=user,
                            suggestion=suggestion,
                            at=at,
                            lead_unit=row.lead_unit,
                            co_units=row.co_units,
                        )
                    except workflow.WorkflowError as exc:
                        column = FIELD_COLUMNS.get(exc.field) or "lead_unit"
                        problem = Problem(exc.message, row.row, plan.headers.get(column, ""))
                        raise ImportFailed([problem]) from exc
                    assigned += 1
                if progress:
                    progress(done)
    except IntegrityError as exc:  # a number registered by someone else at the same moment
        raise ImportFailed([Problem(NUMBER_TAKEN_MEANWHILE)]) from exc
    return ImportResult(registered=registered, assigned=assigned)


def _register_all(plan, user, at, assign):
    """登记 every row through ``workflow.register_many`` (a few queries per 500 rows, docs/benchmarks.md); a
    refusal names the row and the column it concerns."""
    entries = [
        dict(row.fields(session=plan.session, assign=assign), joint_deputies=row.joint_deputies)
        for row in plan.rows
    ]
    try:
        return workflow.register_many(user=user, entries=entries, at=at)
    except workflow.RegistrationError as exc:
        if exc.index is None and exc.field == "number":  # the database's unique number: a race, not the file
            raise ImportFailed([Problem(NUMBER_TAKEN_MEANWHILE)]) from exc
        row = plan.rows[exc.index].row if exc.index is not None else None
        column = plan.headers.get(FIELD_COLUMNS.get(exc.field, ""), "") if exc.field else ""
        message = exc.message
        if exc.message.startswith("本届次会议中已有") and exc.index is not None:
            message = f"{plan.session.name}已有{number_label(plan.rows[exc.index].number)}建议"
        raise ImportFailed([Problem(message, row, column)]) from exc
