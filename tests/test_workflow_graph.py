"""The action table drawn as a state graph: every state can be reached, every open state has a way out, and
docs/workflow.md is the table as it stands. Handlers leave the states to the table."""

import ast
from pathlib import Path

from django.conf import settings

from suggestions.models import Assignment, Reply, Suggestion
from suggestions.workflow import ACTIONS, handlers, merging, oversight, replies, table, timing

S, A = Suggestion.State, Assignment.State


def test_every_suggestion_state_is_reached_from_registration():
    assert table.reachable(list(table.suggestion_edges()), S.REGISTERED) == set(S.values)


def test_every_part_state_is_reached_from_waiting_for_sign_for():
    assert table.reachable(list(table.assignment_edges()), A.PENDING) == set(A.values)


def exits(edges):
    return {e.source for e in edges if e.source != e.target}


def test_every_open_suggestion_state_has_a_way_out_and_the_final_ones_none():
    edges = list(table.suggestion_edges())
    assert set(S.values) - exits(edges) == set(table.FINAL_SUGGESTION_STATES)


def test_every_open_part_state_has_a_way_out_and_the_final_ones_none():
    edges = list(table.assignment_edges())
    assert set(A.values) - exits(edges) == set(table.FINAL_ASSIGNMENT_STATES)


def test_an_outcome_leads_only_to_states_that_exist():
    for action in ACTIONS.values():
        for leads in action.leads.values():
            assert leads.suggestion in (None, *S.values), action.name
            targets = leads.assignment if isinstance(leads.assignment, tuple) else (leads.assignment,)
            assert set(targets) <= {None, *A.values}, action.name
            assert leads.reply in (None, *Reply.State.values), action.name
            assert not (leads.assignment or leads.reply) or action.on_assignment, action.name
            assert set(leads.only_from or ()) <= set(action.states), action.name


def test_docs_workflow_md_is_the_table():
    page = Path(settings.BASE_DIR) / "docs" / "workflow.md"
    assert page.read_text(encoding="utf-8") == table.markdown(), (
        "run: python manage.py workflow_table -o docs/workflow.md"
    )


def test_handlers_never_set_a_state_themselves():
    """States move only where the table says (``Context.go``); a handler writing ``state=`` would bypass it."""
    for module in (handlers, merging, oversight, replies, timing):
        assert _state_writes(module) == [], (
            f"{Path(module.__file__).name} sets a state at lines {_state_writes(module)}"
        )


def _state_writes(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    writes = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Attribute) and leaf.attr == "state":
                        writes.append(node.lineno)
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in ("_set", "_create", "update", "create"):
                writes += [node.lineno for k in node.keywords if k.arg == "state"]
    return writes


def test_a_unit_is_added_only_while_the_suggestion_is_handled_and_no_state_moves():
    """补充交办 (``add_unit``): from 已交办, 办理中 and 重新办理 only, so it is refused once replied or closed; the
    new part starts waiting for sign-for like any other."""
    action = ACTIONS["add_unit"]
    assert set(action.states) == {S.ASSIGNED, S.IN_HANDLING, S.REHANDLING}
    assert not action.on_assignment
    edges = [e for e in table.suggestion_edges() if e.action == "add_unit"]
    assert edges and all(e.source == e.target for e in edges)


def test_merge_and_split_move_no_state_and_the_followed_actions_are_the_handlings():
    """并案 and 拆分 (``merge``, ``split``) only link suggestions: no state moves. The actions a merged suggestion
    repeats after its main one are the unit's and the office's handling, never a rating or closing (each
    deputy rates their own reply, each suggestion is closed on its own)."""
    for name in ("merge", "split", "relate", "unrelate"):
        edges = [e for e in table.suggestion_edges() if e.action == name]
        assert edges and all(e.source == e.target for e in edges), name
    assert set(ACTIONS["merge"].states) == {S.REGISTERED, S.ASSIGNED}
    assert set(merging.FOLLOW_MAIN) <= set(ACTIONS)
    assert not {"rate", "record_rating", "close", "rehandle", "publish"} & set(merging.FOLLOW_MAIN)
