"""Accounts in the admin: who signs in, their role, and the unit, deputy or leader they stand for.

Permissions come from the role (``accounts.roles``, answered by ``accounts.backends.RoleBackend``), not from
Django's groups and per-user permissions, so those are left out here. Office staff may create and change
accounts but not make anyone a superuser, nor change a superuser's account. No account is ever deleted (its
history would go with it): the office deactivates it instead. Every change is written to the account log
(``accounts.audit``), and a password the office sets must be changed by its owner at the next login.
"""

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction

from . import audit
from .models import User

ROLE_HELP = "角色决定能做什么：承办单位人员须指定所属单位，代表账号须关联代表，领导账号须关联领导。"
STAFF_HELP = "可进入管理后台（只有政府办工作人员和超级用户能看到其中的数据）。"

# RoleBackend ignores groups: a groups screen would only mislead.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "name", "phone", "role", "unit", "deputy", "leader", "is_staff")


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("姓名与联系方式", {"fields": ("name", "phone", "email")}),
        ("角色与关联", {"fields": ("role", "unit", "deputy", "leader"), "description": ROLE_HELP}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "must_change_password")}),
        ("重要日期", {"fields": ("last_login", "date_joined"), "classes": ("collapse",)}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        ("姓名与联系方式", {"classes": ("wide",), "fields": ("name", "phone")}),
        (
            "角色与关联",
            {"classes": ("wide",), "fields": ("role", "unit", "deputy", "leader"), "description": ROLE_HELP},
        ),
        ("权限", {"classes": ("wide",), "fields": ("is_staff",)}),
    )
    list_display = ("username", "name", "role", "unit", "deputy", "leader", "phone", "is_active", "is_staff")
    list_filter = ("role", "unit", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "name", "phone", "email")
    list_select_related = ("unit", "deputy", "leader")
    autocomplete_fields = ("unit", "deputy", "leader")
    filter_horizontal = ()
    ordering = ("role", "username")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "is_staff" in form.base_fields:
            form.base_fields["is_staff"].help_text = STAFF_HELP
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "last_login", "date_joined"]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the account's history stays

    def save_model(self, request, obj, form, change):
        if not change:
            if obj.has_usable_password():
                obj.must_change_password = True
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user, action=audit.A.CREATED, account=obj, detail=audit.describe_new(obj)
            )
            return
        before = User.objects.select_related("unit", "deputy", "leader").get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        audit.record_changes(actor=request.user, before=before, after=obj)

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            saved = request.method == "POST" and response.status_code == 302
            if saved and response.url != request.get_full_path():
                user = User.objects.get(pk=id)
                if user.pk == request.user.pk:
                    audit.password_changed_by_self(user=user)
                elif user.has_usable_password():
                    audit.password_set_by_office(actor=request.user, user=user)
        return response
