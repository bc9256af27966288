"""Roles and what each may do: the one table behind ``user.has_perm``, views and templates.

Permission names are plain strings. Workflow actions are ``suggestions.<action>`` (see
``suggestions.workflow.ACTIONS``); the rest name screens and exports.
"""

from django.db import models


class Role(models.TextChoices):
    OFFICE = "office", "政府办工作人员"
    LEADER = "leader", "分管领导"
    UNIT_STAFF = "unit_staff", "承办单位经办人"
    UNIT_HEAD = "unit_head", "承办单位负责人"
    DEPUTY = "deputy", "人大代表"
    CONGRESS = "congress", "人大常委会工作人员"


UNIT_ROLES = frozenset({Role.UNIT_STAFF, Role.UNIT_HEAD})

_UNIT_WORK = {
    "suggestions.sign_for",
    "suggestions.request_reassignment",
    "suggestions.request_extension",
    "suggestions.log_contact",
    "suggestions.send_opinion",
    "suggestions.draft_reply",
    "suggestions.submit_reply",
    "suggestions.follow_up",
}

_READING = {"suggestions.view_statistics", "suggestions.export"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OFFICE: frozenset(
        {
            "suggestions.register",
            "suggestions.edit",
            "suggestions.assign",
            "suggestions.add_unit",
            "suggestions.hand_over",
            "suggestions.withdraw",
            "suggestions.rule_reassignment",
            "suggestions.rule_extension",
            "suggestions.review_reply",
            "suggestions.record_rating",
            "suggestions.rehandle",
            "suggestions.close",
            "suggestions.publish",
            "suggestions.supervise",
            "suggestions.follow_up",
            "suggestions.relate",  # 相关建议 (the page of similar suggestions)
            "suggestions.merge",  # 并案 and 拆分
            "suggestions.view_all",
            "suggestions.import",
            "suggestions.manage",
            "accounts.manage",  # 账户管理: deactivate and reactivate accounts, 登录锁定, 账户变更记录
            *_READING,
        }
    ),
    Role.LEADER: frozenset({"suggestions.comment", *_READING}),
    Role.UNIT_STAFF: frozenset(_UNIT_WORK | {"suggestions.export"}),
    Role.UNIT_HEAD: frozenset(
        _UNIT_WORK | {"suggestions.sign_reply", "suggestions.return_draft", "suggestions.export"}
    ),
    Role.DEPUTY: frozenset({"suggestions.rate"}),
    Role.CONGRESS: frozenset({"suggestions.view_all", *_READING}),
}


def role_permissions(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
