"""Lockout after repeated failed logins (django-axes): the message a locked-out person reads, which accounts and
addresses are locked now, and the office's unlocking.

Axes counts failures per account (from any address) and per address (against any account), as
``AXES_LOCKOUT_PARAMETERS`` says; either reaching ``AXES_FAILURE_LIMIT`` within ``AXES_COOLOFF_TIME`` locks.
"""

from dataclasses import dataclass
from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from . import audit
from .models import User


def cool_off_minutes():
    return int(get_cool_off().total_seconds() // 60)


def lockout_message():
    return (
        f"登录失败次数过多（连续{settings.AXES_FAILURE_LIMIT}次），该账户或本机地址已被锁定"
        f"{cool_off_minutes()}分钟。请稍后再试，或请政府办工作人员在「登录锁定」中解锁。"
    )


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the lockout message instead of "wrong password" (AXES_LOCKOUT_CALLABLE)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "lockout_message": lockout_message(), "locked_username": username}
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


@dataclass
class Lock:
    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    until: datetime
    account: User | None = None

    @property
    def kind_label(self):
        return "账户" if self.kind == "username" else "地址"


def current_locks(now=None) -> list[Lock]:
    """Accounts and addresses locked now: their failures since the cool-off began reach the limit."""
    now = now or timezone.now()
    cool_off = get_cool_off()
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off)
    locks = []
    for kind in ("username", "ip_address"):
        rows = (
            recent.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last")
        )
        locks += [Lock(kind, row[kind], row["failures"], row["last"] + cool_off) for row in rows]
    accounts = User.objects.in_bulk(
        [lock.value for lock in locks if lock.kind == "username"], field_name="username"
    )
    for lock in locks:
        lock.account = accounts.get(lock.value) if lock.kind == "username" else None
    return locks


def unlock(*, actor, username="", ip_address="") -> int:
    """解锁 an account or an address: its failed attempts are forgotten and the unlocking is logged."""
    if bool(username) == bool(ip_address):
        raise audit.AccountError("请选择要解锁的账户或地址。")
    with transaction.atomic():
        count = reset(username=username) if username else reset(ip=ip_address)
        if not count:
            raise audit.AccountError("该账户或地址当前没有被锁定。")
        if username:
            account = User.objects.filter(username=username).first()
            detail = "" if account else f"用户名「{username}」（无此账户）"
            audit.record(
                actor=actor, action=audit.A.UNLOCKED, account=account, username=username, detail=detail
            )
        else:
            audit.record(actor=actor, action=audit.A.UNLOCKED, detail=f"地址：{ip_address}")
    return count
