"""Matching the names written in the file against the database (deputies, delegations, categories, units and
leaders, by normalized name: ``cells.key``), and checking each row of a plan against them and its number
against the file and the session.

A lead deputy or a category that cannot be matched is an error for its row; a joint deputy or a proposed unit
that cannot be matched is a warning and is left out.
"""

from collections import defaultdict

from ..formats import number_label
from ..models import Category, Delegation, Deputy, HandlingUnit, Leader, Suggestion
from .cells import key
from .problems import ERROR, WARNING, Problem


def _strip_suffix(text, suffix):
    return text[: -len(suffix)] if text.endswith(suffix) and len(text) > len(suffix) else text


class Directory:
    """Deputies, delegations, categories, units and leaders, loaded once and looked up by normalized name."""

    def __init__(self):
        self.deputies = defaultdict(list)
        for deputy in Deputy.objects.select_related("delegation"):
            self.deputies[key(deputy.name)].append(deputy)
        self.delegations = {}
        for delegation in Delegation.objects.all():
            self.delegations[key(delegation.name)] = delegation
            self.delegations.setdefault(_strip_suffix(key(delegation.name), "代表团"), delegation)
        self.categories = {key(c.name): c for c in Category.objects.all()}
        self.units = [
            (key(u.name), key(u.short_name), u)
            for u in HandlingUnit.objects.filter(is_active=True).select_related("leader")
        ]
        self.leaders = [(key(leader.name), leader) for leader in Leader.objects.filter(is_active=True)]

    def delegation(self, name):
        text = key(name)
        return self.delegations.get(text) or self.delegations.get(_strip_suffix(text, "代表团"))

    def deputy(self, name, delegation=None):
        """(deputy, None) or (None, why not)."""
        candidates = self.deputies.get(key(name), [])
        if not candidates:
            return None, f"找不到代表“{name}”"
        if len(candidates) == 1:
            return candidates[0], None
        if delegation is not None:
            same = [d for d in candidates if d.delegation_id == delegation.pk]
            if len(same) == 1:
                return same[0], None
        active = [d for d in candidates if d.is_active]
        if len(active) == 1:
            return active[0], None
        where = "、".join(d.delegation.name for d in candidates)
        return None, f"代表“{name}”有{len(candidates)}人重名（{where}），请在「代表团」列注明所在代表团"

    def category(self, name):
        return self.categories.get(key(name))

    def unit(self, name):
        """(unit, None) or (None, why not): the full name, the short name, then a unique containment
        (交通运输局 -> 市交通运输局, 霍州市财政局 -> 市财政局)."""
        text = key(name)
        tiers = (
            lambda full, short: full == text,
            lambda full, short: short == text,
            lambda full, short: text in full or (short and text in short),
            lambda full, short: full in text or (len(short) >= 2 and short in text),
        )
        for tier in tiers:
            found = [u for full, short, u in self.units if tier(full, short)]
            if len(found) == 1:
                return found[0], None
            if len(found) > 1:
                return None, f"单位“{name}”不能确定是哪一个（{'、'.join(u.name for u in found[:5])}）"
        return None, f"找不到承办单位“{name}”"

    def leader(self, name):
        text = key(name)
        found = [leader for k, leader in self.leaders if k == text] or [
            leader for k, leader in self.leaders if k and k in text
        ]
        return found[0] if len(found) == 1 else None


# --- checking a plan's rows ------------------------------------------------------------------------------------


def match_rows(plan, directory):
    """Matches each row's names against ``directory`` and its number against the file and the session, adding
    what is wrong to the row's problems."""
    existing = set(Suggestion.objects.filter(session=plan.session).values_list("number", flat=True))
    first_row = {}
    headers = plan.headers
    for row in plan.rows:

        def problem(column_key, message, level=ERROR, row=row):
            row.problems.append(Problem(message, row.row, headers.get(column_key, ""), level))

        if row.number is not None:
            if row.number in first_row:
                problem("number", f"{row.number}号与第{first_row[row.number]}行重复")
            else:
                first_row[row.number] = row.row
                if row.number in existing:
                    problem("number", f"{plan.session.name}已有{number_label(row.number)}建议")

        delegation = directory.delegation(row.delegation_name) if row.delegation_name else None
        if row.delegation_name and delegation is None:
            problem("delegation", f"找不到代表团“{row.delegation_name}”", WARNING)
        if row.lead_name:
            row.lead_deputy, why = directory.deputy(row.lead_name, delegation)
            if why:
                problem("lead_deputy", why)
            elif delegation and row.lead_deputy.delegation_id != delegation.pk:
                problem(
                    "lead_deputy",
                    f"代表“{row.lead_name}”属于{row.lead_deputy.delegation.name}，与「代表团」列不符，"
                    f"按{row.lead_deputy.delegation.name}导入",
                    WARNING,
                )
        around = delegation or (row.lead_deputy.delegation if row.lead_deputy else None)
        for name in row.joint_names:
            deputy, why = directory.deputy(name, around)
            if why:
                problem("joint_deputies", f"{why}，该联名代表未导入", WARNING)
            elif deputy != row.lead_deputy and deputy not in row.joint_deputies:
                row.joint_deputies.append(deputy)

        if row.category_name:
            row.category = directory.category(row.category_name)
            if row.category is None:
                names = "、".join(directory.categories[k].name for k in list(directory.categories)[:10])
                problem(
                    "category",
                    f"找不到类别“{row.category_name}”" + (f"（现有类别：{names}）" if names else ""),
                )

        if row.lead_unit_name:
            row.lead_unit, why = directory.unit(row.lead_unit_name)
            if why:
                problem("lead_unit", f"{why}，交办时请另行指定", WARNING)
        for name in row.co_unit_names:
            unit, why = directory.unit(name)
            if why:
                problem("co_units", f"{why}，该协办单位未采用", WARNING)
            elif unit == row.lead_unit:
                problem("co_units", f"{unit.name}已是主办单位，不再作为协办单位", WARNING)
            elif unit not in row.co_units:
                row.co_units.append(unit)

        _settle_key(row, directory, problem)


def _settle_key(row, directory, problem):
    """A key suggestion needs a supervising leader: the one written, else the lead unit's leader; without one the
    row goes in as an ordinary suggestion, noted in its remarks."""
    if row.leader_name:
        row.supervising_leader = directory.leader(row.leader_name)
        if row.supervising_leader is None:
            problem("supervising_leader", f"找不到领导“{row.leader_name}”", WARNING)
        else:
            row.is_key = True
    if row.is_key and row.supervising_leader is None:
        leader = row.lead_unit.leader if row.lead_unit else None
        if leader is not None:
            row.supervising_leader = leader
            problem("is_key", f"重点建议的督办领导按建议主办单位的分管领导定为{leader}", WARNING)
        else:
            row.is_key = False
            row.remarks = "\n".join(filter(None, [row.remarks, "人大交办清单标注为重点建议"]))
            problem(
                "is_key", "重点建议须指定督办领导，现按一般建议导入（已记入备注），请在交办时标记", WARNING
            )
