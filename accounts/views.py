"""The office's account pages (账户管理, 登录锁定, 账户变更记录) and one's own password page.

Creating accounts and giving roles stays in the admin (``accounts/admin.py``); both write the same log.
"""

import ipaddress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from . import audit, lockout
from .models import AccountEvent, User
from .roles import Role

MANAGE = "accounts.manage"


@require_safe
@permission_required(MANAGE, raise_exception=True)
def account_list(request):
    accounts = User.objects.select_related("unit", "deputy", "leader").order_by(
        "-is_active", "role", "username"
    )
    query = request.GET.get("q", "").strip()[:50]
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(name__icontains=query))
    state = request.GET.get("state", "")
    if state in {"active", "inactive"}:
        accounts = accounts.filter(is_active=state == "active")
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    return render(
        request, "accounts/account_list.html", {"page": page, "q": query, "state": state, "roles": Role}
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def account_activation(request, pk, action):
    """停用 / 恢复 one account (``action``: deactivate or reactivate)."""
    account = get_object_or_404(User, pk=pk)
    try:
        if action == "deactivate":
            audit.account_deactivate(
                actor=request.user, user=account, reason=request.POST.get("reason", "")[:200]
            )
            messages.success(request, f"已停用账户「{account.username}」，其办理记录全部保留。")
        else:
            audit.account_reactivate(actor=request.user, user=account)
            messages.success(request, f"已恢复账户「{account.username}」。")
    except audit.AccountError as exc:
        messages.error(request, exc.message)
    return redirect("account_list")


@require_safe
@permission_required(MANAGE, raise_exception=True)
def lockouts(request):
    return render(
        request,
        "accounts/lockouts.html",
        {
            "locks": lockout.current_locks(),
            "limit": settings.AXES_FAILURE_LIMIT,
            "minutes": lockout.cool_off_minutes(),
        },
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def unlock(request):
    username = request.POST.get("username", "").strip()[:150]
    address = request.POST.get("ip_address", "").strip()
    if address:
        try:
            address = str(ipaddress.ip_address(address))
        except ValueError:
            messages.error(request, "地址格式不正确。")
            return redirect("lockouts")
    try:
        lockout.unlock(actor=request.user, username=username, ip_address=address)
    except audit.AccountError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已解锁{'账户「' + username + '」' if username else '地址 ' + address}。")
    return redirect("lockouts")


@require_safe
@permission_required(MANAGE, raise_exception=True)
def account_events(request):
    events = AccountEvent.objects.select_related("account")
    action = request.GET.get("action", "")
    if action in AccountEvent.Action.values:
        events = events.filter(action=action)
    username = request.GET.get("username", "").strip()[:150]
    if username:
        events = events.filter(username=username)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/account_events.html",
        {"page": page, "actions": AccountEvent.Action.choices, "action": action, "username": username},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page; a changed password is logged and ends the office's "choose a new one" request."""

    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        audit.password_changed_by_self(user=form.user)
        return response
