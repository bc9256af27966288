"""Importing the list of suggestions the congress office hands over as an Excel workbook (.xlsx).

    plan = read_plan(file, session=session)        # parse, match names, validate; writes nothing
    plan = parse_file(file)                        # or in two steps: the file read once (on upload) ...
    plan = checked(plan, session=session)          # ... and checked against the database (preview, import)
    plan.errors / plan.warnings                    # Problem: Excel row, column, message
    run_import(plan, user=office, assign=False)    # all rows or none, in one transaction

Along the work, one module each:

- ``archive``: the package inspected before any of it is parsed (zip bombs, macros, external links, renamed
  files);
- ``cells``: opening the workbook, finding the header row (COLUMNS: the names offices give each column), and
  reading a cell as text, names or a flag; numbers through ``formats.parse_number``;
- ``plan``: ``read_plan``, the rows read from the file (``ImportRow``) in an ``ImportPlan``;
- ``matching``: deputies, delegations, categories, units and leaders matched by name (``Directory``), and each
  row checked against them and against the session's numbers;
- ``writing``: ``run_import``, registration through ``workflow.register_many`` and, with ``assign=True``,
  assignment through ``workflow.perform("assign")``;
- ``problems``: ``Problem`` (row, column, message; an error or a warning) and the two exceptions;
- ``template``: the template workbook offered for download;
- ``history`` and ``sessions``: the history import (历史导入), a past session's 汇总表 read with the same cells and
  matching, the session found or created from its name as offices write it, and written through
  ``workflow.record_history`` (``from suggestions.imports import history``).

Callers import from here: ``from suggestions import imports``; ``imports.read_plan(...)``.
"""

from ..formats import parse_number
from .archive import MAX_UNPACKED_BYTES
from .cells import COLUMNS, MAX_COLUMNS, MAX_ROWS, XLS_SIGNATURE, Column, split_names
from .matching import Directory
from .plan import MAX_CELL_CHARS, ImportPlan, ImportRow, checked, parse_file, read_plan
from .problems import ERROR, WARNING, ImportFailed, ImportFileError, Problem
from .template import TEMPLATE_HEADERS, template_workbook
from .writing import ImportResult, run_import

__all__ = [
    "COLUMNS",
    "ERROR",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "TEMPLATE_HEADERS",
    "WARNING",
    "XLS_SIGNATURE",
    "Column",
    "Directory",
    "ImportFailed",
    "ImportFileError",
    "ImportPlan",
    "ImportResult",
    "ImportRow",
    "Problem",
    "checked",
    "parse_file",
    "parse_number",
    "read_plan",
    "run_import",
    "split_names",
    "template_workbook",
]
