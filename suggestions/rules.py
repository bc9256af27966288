"""The regional rules of handling: the defaults in ``settings.SUGGESTION_RULES``, overridden by the TOML file
that ``SUGGESTION_RULES_FILE`` (environment) names. Everything that depends on a county's practice reads it
here: deadlines and windows, the report's city, the result-class scheme (A/B/C, A-D, 甲乙丙), the assessment
weights.

A file looks like docs/rules/*.toml::

    city = "霍州"
    handling_months = 3
    result_classes = [
      { code = "A", label = "所提问题已经解决或基本解决" },
      { code = "B", label = "所提问题正在解决", commitment = true },
    ]

Each key must be one of the defaults' and of the same kind (a whole number, a text, a table of numbers); a table
merges into the default table key by key. A file that cannot be read or breaks a rule raises ``RulesError`` with
a message in Chinese naming the problem; ``manage.py check`` reports it (``suggestions.checks``), so a server
never starts on a mistyped file. A stored code stays a code: the scheme decides what it is called and whether a
reply of that class carries a commitment, and a scheme that drops a code still stored is refused by the check.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


class RulesError(Exception):
    """The rules file cannot be used; ``message`` says why, in Chinese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ResultClassRule:
    code: str
    label: str  # 所提问题已经解决或基本解决 (without the code)
    commitment: bool = False  # a reply of this class carries a commitment and a target date

    @property
    def display(self) -> str:
        """How a screen names the class: 「A 所提问题已经解决或基本解决」."""
        return f"{self.code} {self.label}"


# Numbers a rule may take (inclusive); a value outside is refused with the range in the message.
RANGES = {
    "handling_months": (1, 12),
    "max_handling_months": (1, 12),
    "opinion_months": (1, 6),
    "reassignment_working_days": (3, 10),
    "rehandling_months": (1, 6),
    "rating_days": (1, 180),
    "publish_working_days": (1, 60),
    "remind_days_before": (1, 30),
}
CHOICES = {
    "unsatisfied_rehandling": ("immediate", "office_confirms"),
    "withheld_publication": ("依申请公开", "不予公开"),
}
NAMES = {
    "handling_months": "办理期限（月）",
    "max_handling_months": "最长办理期限（月）",
    "opinion_months": "协办意见期限（月）",
    "reassignment_working_days": "申请调整期限（工作日）",
    "rehandling_months": "重新办理期限（月）",
    "rating_days": "评价期限（天）",
    "publish_working_days": "答复公开期限（工作日）",
    "withheld_publication": "不公开答复的公开方式",
    "remind_days_before": "期限前提醒（天）",
    "unsatisfied_rehandling": "不满意后重新办理方式",
    "city": "地名",
    "place": "行政区划（市、县、区）",
    "result_classes": "答复类别",
    "assessment_weights": "承办单位考核分值",
}
MAX_CODE_LENGTH = 4  # the columns hold four characters: A, 甲, A1


_parsed: dict[tuple[str, float], dict] = {}


def _file_path() -> str:
    return (getattr(settings, "SUGGESTION_RULES_FILE", "") or "").strip()


def read_file(path) -> dict:
    """The file's tables as TOML gives them (cached per path and modification time)."""
    path = Path(path)
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError as exc:
        raise RulesError(f"找不到规则文件 {path}（SUGGESTION_RULES_FILE）：{exc.strerror or exc}。") from exc
    if key not in _parsed:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise RulesError(f"规则文件 {path} 不是 UTF-8 编码的文本，请另存为 UTF-8。") from exc
        try:
            _parsed[key] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"规则文件 {path} 格式有误：{exc}。请按 docs/rules/ 中的示例书写。") from exc
    return _parsed[key]


def merged(defaults: dict, overrides: dict, source: str = "规则文件") -> dict:
    """``defaults`` with ``overrides`` applied, each checked; raises ``RulesError``."""
    result = {k: (dict(v) if isinstance(v, dict) else v) for k, v in defaults.items()}
    for key, value in overrides.items():
        if key not in defaults:
            known = "、".join(defaults)
            raise RulesError(f"{source}中的「{key}」不是可以设置的规则。可以设置的有：{known}。")
        result[key] = _checked(key, defaults[key], value, source)
    result["result_classes"] = tuple(scheme_from(result["result_classes"], f"{source}中的答复类别"))
    if result["max_handling_months"] < result["handling_months"]:
        raise RulesError(
            f"{source}中最长办理期限（{result['max_handling_months']}个月）不能短于办理期限"
            f"（{result['handling_months']}个月）。"
        )
    return result


def _checked(key, default, value, source):
    name = f"{source}中的「{key}」（{NAMES[key]}）" if key in NAMES else f"{source}中的「{key}」"
    if key == "result_classes":
        return tuple(scheme_from(value, name))
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise RulesError(f"{name}应为 true 或 false。")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise RulesError(f"{name}应为整数，不能是「{value}」。")
        low, high = RANGES.get(key, (0, 10**6))
        if not low <= value <= high:
            raise RulesError(f"{name}应在{low}到{high}之间，不能是{value}。")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise RulesError(f"{name}应为文字，用英文双引号括起来。")
        if key in CHOICES and value not in CHOICES[key]:
            raise RulesError(f"{name}只能是{'、'.join(CHOICES[key])}之一，不能是「{value}」。")
        return value.strip()
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise RulesError(f"{name}应为一张表（如 {{ 甲 = 1 }}）。")
        table = dict(default)
        for item, number in value.items():
            if item not in default:
                raise RulesError(
                    f"{name}中的「{item}」不是可以设置的项目。可以设置的有：{'、'.join(default)}。"
                )
            if isinstance(number, bool) or not isinstance(number, (int, float)) or number < 0:
                raise RulesError(f"{name}中的「{item}」应为不小于0的数。")
            table[item] = number
        return table
    raise RulesError(f"{name}无法设置。")


def scheme_from(value, name="答复类别") -> list[ResultClassRule]:
    """Result classes from a list of ``{code, label, commitment}`` tables (or ``ResultClassRule`` values)."""
    if not isinstance(value, (list, tuple)) or not value:
        raise RulesError(f'{name}应为至少一项的列表：[{{ code = "A", label = "…" }}, …]。')
    classes, seen = [], set()
    for n, item in enumerate(value, 1):
        if isinstance(item, ResultClassRule):
            item = {"code": item.code, "label": item.label, "commitment": item.commitment}
        if not isinstance(item, dict):
            raise RulesError(f'{name}第{n}项应写成 {{ code = "A", label = "…" }}。')
        unknown = set(item) - {"code", "label", "commitment"}
        if unknown:
            raise RulesError(
                f"{name}第{n}项有未知的键「{'、'.join(sorted(unknown))}」：只能有 code、label、commitment。"
            )
        code, label = item.get("code"), item.get("label")
        if not isinstance(code, str) or not code.strip():
            raise RulesError(f"{name}第{n}项缺少代码（code）。")
        code = code.strip()
        if len(code) > MAX_CODE_LENGTH:
            raise RulesError(f"{name}第{n}项的代码「{code}」太长：最多{MAX_CODE_LENGTH}个字符。")
        if code in seen:
            raise RulesError(f"{name}中的代码「{code}」重复。")
        if not isinstance(label, str) or not label.strip():
            raise RulesError(f"{name}中的「{code}」类缺少说明（label）。")
        commitment = item.get("commitment", False)
        if not isinstance(commitment, bool):
            raise RulesError(f"{name}中的「{code}」类的 commitment 应为 true 或 false。")
        seen.add(code)
        classes.append(ResultClassRule(code, label.strip(), commitment))
    return classes


_last: list = [None, None, None, None]  # defaults, path, the file's tables, the rules they make


def current() -> dict:
    """The rules in force: the defaults with the file applied. Raises ``RulesError`` for a bad file.

    The last result is kept while the defaults (settings replace the dict, never change it in place), the file
    and its modification time stay the same, so a page naming a hundred replies' classes merges them once.
    Holding the objects themselves, not their ids, keeps a new dict from passing for a freed one."""
    defaults = settings.SUGGESTION_RULES
    path = _file_path()
    overrides = read_file(path) if path else {}
    kept_defaults, kept_path, kept_overrides, rules = _last
    if kept_defaults is defaults and kept_path == path and (kept_overrides is overrides or not path):
        return rules
    source = f"规则文件 {Path(path).name} " if path else "SUGGESTION_RULES"
    rules = merged(defaults, overrides, source)
    _last[:] = [defaults, path, overrides, rules]
    return rules


def problem() -> str:
    """What is wrong with the rules in force, or ""."""
    try:
        current()
    except RulesError as exc:
        return exc.message
    return ""


def get(name):
    return current()[name]


# --- the result-class scheme -----------------------------------------------------------------------------------


def result_classes() -> list[ResultClassRule]:
    return list(get("result_classes"))


def codes() -> list[str]:
    return [c.code for c in result_classes()]


def result_class_choices():
    """``(code, 「A 已解决或采纳」)`` pairs for forms, filters and the model fields' choices (read at each use)."""
    return [(c.code, c.display) for c in result_classes()]


def field_choices():
    """The model fields' choices: as ``result_class_choices``, but a broken file falls back to the defaults'
    scheme here, so that ``manage.py check`` gets as far as reporting the file (``suggestions.checks``)."""
    try:
        return result_class_choices()
    except RulesError:
        return [(c.code, c.display) for c in scheme_from(settings.SUGGESTION_RULES["result_classes"])]


def result_class(code) -> ResultClassRule | None:
    return next((c for c in result_classes() if c.code == code), None)


def result_class_label(code) -> str:
    """「A 已解决或采纳」 for a stored code; a code the scheme does not hold is shown as itself."""
    found = result_class(code)
    return found.display if found else (f"{code}类" if code else "")


def commitment_codes() -> list[str]:
    """The classes whose reply carries a commitment and a target date (B under the default scheme)."""
    return [c.code for c in result_classes() if c.commitment]


def commitment_classes_label() -> str:
    """「B类」 or 「B、C类」: how a screen names the replies that carry commitments."""
    found = commitment_codes()
    return ("、".join(found) + "类") if found else "承诺类"


def city() -> str:
    return get("city")


def place() -> str:
    return get("place") or "市"
