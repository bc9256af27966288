from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from .roles import UNIT_ROLES, Role


class User(AbstractUser):
    """A person who signs in. Their role decides what they may do; the links decide what is theirs."""

    name = models.CharField("姓名", max_length=50, blank=True)
    # No role, no rights: a new account (createsuperuser aside) can do nothing until the office gives it one.
    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True, default="")
    phone = models.CharField("联系电话", max_length=30, blank=True)
    unit = models.ForeignKey(
        "suggestions.HandlingUnit",
        verbose_name="所属承办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    deputy = models.OneToOneField(
        "suggestions.Deputy",
        verbose_name="对应代表",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    leader = models.OneToOneField(
        "suggestions.Leader",
        verbose_name="对应领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    # Set when the office sets the password; the person chooses their own at the next login
    # (accounts.middleware, when settings.PASSWORD_CHANGE_ON_FIRST_LOGIN is on).
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                name="unit_roles_have_a_unit",
                condition=~Q(role__in=[Role.UNIT_STAFF, Role.UNIT_HEAD]) | Q(unit__isnull=False),
                violation_error_message="承办单位人员必须指定所属单位。",
            ),
            models.CheckConstraint(
                name="deputy_role_has_a_deputy",
                condition=~Q(role=Role.DEPUTY) | Q(deputy__isnull=False),
                violation_error_message="代表账号必须关联代表。",
            ),
            models.CheckConstraint(
                name="leader_role_has_a_leader",
                condition=~Q(role=Role.LEADER) | Q(leader__isnull=False),
                violation_error_message="领导账号必须关联领导。",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.name or self.get_full_name() or self.username

    @property
    def is_office(self):
        return self.role == Role.OFFICE

    @property
    def is_unit_member(self):
        return self.role in UNIT_ROLES

    @property
    def is_unit_head(self):
        return self.role == Role.UNIT_HEAD

    @property
    def is_deputy(self):
        return self.role == Role.DEPUTY

    @property
    def is_leader(self):
        return self.role == Role.LEADER


class AccountEvent(models.Model):
    """One change to an account, kept for good: who did what to whose account, and when. Never changed or
    deleted; written by ``accounts.audit`` from the admin, the office's pages and the password pages."""

    class Action(models.TextChoices):
        CREATED = "created", "创建账户"
        ROLE_CHANGED = "role_changed", "变更角色"
        UNIT_CHANGED = "unit_changed", "变更所属单位"
        LINK_CHANGED = "link_changed", "变更关联的代表或领导"
        ADMIN_CHANGED = "admin_changed", "变更后台权限"
        PASSWORD_RESET = "password_reset", "政府办重设密码"
        PASSWORD_CHANGED = "password_changed", "本人修改密码"
        DEACTIVATED = "deactivated", "停用账户"
        REACTIVATED = "reactivated", "恢复账户"
        UNLOCKED = "unlocked", "解除登录锁定"

    action = models.CharField("操作", max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        on_delete=models.PROTECT,
        related_name="account_actions",
    )
    actor_name = models.CharField("操作人姓名", max_length=100)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_events",
    )
    username = models.CharField("用户名", max_length=150, blank=True)  # the account's, or the one unlocked
    detail = models.CharField("内容", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "账户变更记录"
        verbose_name_plural = "账户变更记录"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.actor_name} {self.get_action_display()} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("账户变更记录只能新增，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("账户变更记录不能删除。")
