from django.contrib.auth.backends import ModelBackend

from .roles import Role, role_permissions

# Django admin asks for "<app>.<verb>_<model>"; office staff maintain reference data and read the rest.
_ADMIN_APPS = {"suggestions", "accounts"}
_ADMIN_VERBS = {"view", "add", "change"}


class RoleBackend(ModelBackend):
    """Authenticates like ModelBackend; answers permissions from ``accounts.roles``.

    With an object, a permission also needs the object to be visible to the user.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        perms = set(role_permissions(user_obj.role))
        if user_obj.role == Role.OFFICE:
            perms |= {f"{app}.{verb}_*" for app in _ADMIN_APPS for verb in _ADMIN_VERBS}
        return perms

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        perms = self.get_all_permissions(user_obj)
        app, _, codename = perm.partition(".")
        verb = codename.split("_", 1)[0]
        if perm not in perms and f"{app}.{verb}_*" not in perms:
            return False
        if obj is not None and hasattr(type(obj).objects, "visible_to"):
            return type(obj).objects.visible_to(user_obj).filter(pk=obj.pk).exists()
        return True

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_active and user_obj.role == Role.OFFICE and app_label in _ADMIN_APPS
