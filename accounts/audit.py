"""Changes to accounts, each written to the account log (``AccountEvent``) in the same transaction.

The admin, the office's account pages and the password pages all come through here, so the log the office
reads (「账户变更记录」) holds every change whichever screen made it. A refused change raises ``AccountError``
with a message for the person who tried and changes nothing.
"""

from django.db import transaction
from django.utils import timezone

from .models import AccountEvent, User
from .roles import Role

A = AccountEvent.Action


class AccountError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _name(user):
    return user.display_name if user is not None else "系统"


def record(*, actor, action, account=None, username="", detail="", at=None) -> AccountEvent:
    return AccountEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=_name(actor)[:100],
        account=account,
        username=(account.username if account is not None else username)[:150],
        detail=detail[:500],
        created_at=at or timezone.now(),
    )


def _role_label(value):
    return Role(value).label if value in Role.values else "无角色"


def _label(obj):
    return str(obj) if obj is not None else "无"


def describe_new(user):
    """What a new account was given, as the log says it: 角色：承办单位经办人；单位：市交通运输局."""
    parts = [f"角色：{_role_label(user.role)}"]
    for name, label in (("unit", "单位"), ("deputy", "代表"), ("leader", "领导")):
        if getattr(user, f"{name}_id"):
            parts.append(f"{label}：{getattr(user, name)}")
    if user.is_staff:
        parts.append("可进入管理后台")
    return "；".join(parts)


def changes(before: User, after: User):
    """The log entries one edit of an account makes: (action, detail) for each thing that changed."""
    found = []
    if before.role != after.role:
        found.append((A.ROLE_CHANGED, f"角色：{_role_label(before.role)} → {_role_label(after.role)}"))
    if before.unit_id != after.unit_id:
        found.append((A.UNIT_CHANGED, f"所属单位：{_label(before.unit)} → {_label(after.unit)}"))
    for name, label in (("deputy", "代表"), ("leader", "领导")):
        if getattr(before, f"{name}_id") != getattr(after, f"{name}_id"):
            found.append(
                (
                    A.LINK_CHANGED,
                    f"对应{label}：{_label(getattr(before, name))} → {_label(getattr(after, name))}",
                )
            )
    for name, label in (("is_staff", "进入管理后台"), ("is_superuser", "超级用户")):
        if getattr(before, name) != getattr(after, name):
            found.append(
                (
                    A.ADMIN_CHANGED,
                    f"{label}：{'是' if getattr(before, name) else '否'} → {'是' if getattr(after, name) else '否'}",
                )
            )
    if before.is_active != after.is_active:
        found.append((A.REACTIVATED, "") if after.is_active else (A.DEACTIVATED, ""))
    return found


def record_changes(*, actor, before: User, after: User, at=None):
    for action, detail in changes(before, after):
        record(actor=actor, action=action, account=after, detail=detail, at=at)


def password_set_by_office(*, actor, user):
    """The office (in the admin) set this account's password: logged, and the person chooses a new one at their
    next login."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=True)
        user.must_change_password = True
        record(actor=actor, action=A.PASSWORD_RESET, account=user)


def password_changed_by_self(*, user):
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
        record(actor=user, action=A.PASSWORD_CHANGED, account=user)


def _may_manage(actor, user):
    if user.pk == actor.pk:
        raise AccountError("不能停用或恢复自己的账户。")
    if user.is_superuser and not actor.is_superuser:
        raise AccountError("不能变更超级用户的账户。")


def account_deactivate(*, actor, user, reason=""):
    """停用: the person can no longer sign in; the account and everything it did stay on record."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _may_manage(actor, user)
        if not user.is_active:
            raise AccountError(f"账户「{user.username}」已是停用状态。")
        user.is_active = False
        user.save(update_fields=["is_active"])
        record(actor=actor, action=A.DEACTIVATED, account=user, detail=reason.strip())
    return user


def account_reactivate(*, actor, user):
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _may_manage(actor, user)
        if user.is_active:
            raise AccountError(f"账户「{user.username}」未被停用。")
        user.is_active = True
        user.save(update_fields=["is_active"])
        record(actor=actor, action=A.REACTIVATED, account=user)
    return user
