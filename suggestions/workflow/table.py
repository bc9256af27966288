"""The action table as a state graph and as the page docs/workflow.md (``python manage.py workflow_table``).

Drawn from ``ACTIONS`` alone, so the page and the graph test read the same machine that ``perform`` runs.
"""

from dataclasses import dataclass

from accounts.roles import ROLE_PERMISSIONS, Role

from ..models import Assignment, Event, Reply, Suggestion
from . import ACTIONS, HISTORY_IMPORT, REGISTER
from .merging import FOLLOW_MAIN

S, A = Suggestion.State, Assignment.State

# Where nothing more can happen to the state (an action may still add records: publish, follow up).
FINAL_SUGGESTION_STATES = (S.CLOSED, S.NOT_GOVERNMENT, S.WITHDRAWN)
FINAL_ASSIGNMENT_STATES = (A.REASSIGNED, A.REPLIED, A.OPINION_SENT)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    action: str
    outcome: str


def suggestion_edges():
    """(from, to) of the suggestion's state for every action, outcome and state it may start from."""
    for action in ACTIONS.values():
        for outcome, leads in action.leads.items():
            for source in leads.only_from or action.states:
                if source in action.states:
                    yield Edge(source, leads.suggestion or source, action.name, outcome)


def assignment_edges():
    """(from, to) of a part's state; a part is created waiting for sign-for (待签收)."""
    for action in ACTIONS.values():
        if not action.on_assignment:
            continue
        for outcome, leads in action.leads.items():
            targets = leads.assignment if isinstance(leads.assignment, tuple) else (leads.assignment,)
            for source in action.assignment_states:
                for target in targets:
                    yield Edge(source, target or source, action.name, outcome)


def reachable(edges, start):
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for e in edges:
            if e.source == state and e.target not in seen:
                seen.add(e.target)
                todo.append(e.target)
    return seen


def roles_for(permission):
    return [Role(role).label for role, perms in ROLE_PERMISSIONS.items() if permission in perms]


def _states(states, labels):
    return "、".join(labels(s) for s in states) if states else "—"


def markdown() -> str:
    s_label = lambda v: S(v).label  # noqa: E731
    a_label = lambda v: A(v).label  # noqa: E731
    lines = [
        "# 办理流程（the workflow）",
        "",
        "Generated from the action table in `suggestions/workflow/__init__.py` by `python manage.py workflow_table`;",
        "a test fails when this page and the table differ. Each row is one outcome of one action: the states it",
        "starts from, where it leads (— keeps the state), who may take it and who may read the event it writes.",
        "",
        "| 操作 | 结果 | 角色 | 建议状态（起）| 建议状态（止）| 承办状态（起）| 承办状态（止）| 答复状态 | 可见范围 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for action in [REGISTER, HISTORY_IMPORT, *ACTIONS.values()]:
        for outcome, leads in action.leads.items():
            target = leads.assignment
            if isinstance(target, tuple):
                a_to = "回到" + "或".join(a_label(t) for t in target)
            else:
                a_to = a_label(target) if target else "—"
            cells = [
                f"{action.label} `{action.name}`",
                f"`{outcome}`" if len(action.leads) > 1 else "",
                "系统" if action.system else "、".join(roles_for(action.permission)),
                _states(leads.only_from or action.states, s_label),
                s_label(leads.suggestion) if leads.suggestion else "—",
                _states(action.assignment_states, a_label) if action.on_assignment else "",
                a_to if action.on_assignment else "",
                Reply.State(leads.reply).label if leads.reply else "",
                Event.Audience(leads.audience).label,
            ]
            lines.append("| " + " | ".join(cells) + " |")
    followed = "、".join(f"{ACTIONS[name].label} `{name}`" for name in FOLLOW_MAIN)
    lines += [
        "",
        "并案（`merge`）后，主建议上的这些操作由并入的每件建议以同样的内容各自再做一次（各有其答复、评价和记录），"
        f"并入的建议在同一轮次内不能单独进行：{followed}。",
    ]
    lines += ["", "## 建议状态", "", "```mermaid", "stateDiagram-v2", f"    [*] --> {S.REGISTERED}"]
    lines += _diagram(suggestion_edges(), S, FINAL_SUGGESTION_STATES)
    lines += [
        "```",
        "",
        "## 承办单位的办理状态",
        "",
        "```mermaid",
        "stateDiagram-v2",
        f"    [*] --> {A.PENDING}",
    ]
    lines += _diagram(assignment_edges(), A, FINAL_ASSIGNMENT_STATES)
    lines += ["```", ""]
    return "\n".join(lines)


def _diagram(edges, states, finals):
    lines = [f"    {state.value}: {state.label}" for state in states]
    pairs = {}
    for e in edges:
        if e.source != e.target:
            pairs.setdefault((e.source, e.target), []).append(ACTIONS[e.action].label)
    lines += [f"    {a} --> {b}: {'、'.join(dict.fromkeys(labels))}" for (a, b), labels in pairs.items()]
    lines += [f"    {state} --> [*]" for state in finals]
    return lines
