from django.contrib.auth.backends import ModelBackend

from .roles import UNIT_ROLES, Role, role_permissions

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
        return obj is None or _visible(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return user_obj.is_active and user_obj.role == Role.OFFICE and app_label in _ADMIN_APPS


def _visible(user, obj):
    """Whether ``user`` may see ``obj``: asked of its manager's ``visible_to``; a record of the handling (reply,
    rating, request, contact, note) is visible when the assignment, reply or suggestion it belongs to is.
    A unit's permissions on one unit's part (its assignment, or a record of it) hold for its own parts only."""
    part = obj if type(obj).__name__ == "Assignment" else getattr(obj, "assignment", None)
    if user.role in UNIT_ROLES and part is not None and part.unit_id != user.unit_id:
        return False
    manager = type(obj)._default_manager
    if hasattr(manager, "visible_to"):
        return manager.visible_to(user).filter(pk=obj.pk).exists()
    for name in ("assignment", "reply", "suggestion"):
        owner = getattr(obj, name, None)
        if owner is not None:
            return _visible(user, owner)
    return True
