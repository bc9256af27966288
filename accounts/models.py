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
