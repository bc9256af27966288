"""What the office is told about a file: a ``Problem`` (Excel row, column, message; an error or a warning), and
the two exceptions an import raises."""

from dataclasses import dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file: an error blocks the import, a warning is shown and the row goes in."""

    message: str
    row: int | None = None  # the Excel row number, as the office sees it
    column: str = ""  # the header as written in the file
    level: str = ERROR

    @property
    def is_error(self):
        return self.level == ERROR

    def __str__(self):
        where = f"第{self.row}行" if self.row else ""
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.message}" if where else self.message


class ImportFileError(Exception):
    """The file cannot be read as a list of suggestions at all; ``problem`` says why."""

    def __init__(self, message, row=None, column=""):
        self.problem = Problem(message, row, column)
        super().__init__(str(self.problem))


class ImportFailed(Exception):
    """The import was refused or rolled back; nothing was written."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("；".join(str(p) for p in self.problems))
