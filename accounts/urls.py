from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.decorators.http import require_safe

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        require_safe(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("users/", views.account_list, name="account_list"),
    path(
        "users/<int:pk>/deactivate/",
        views.account_activation,
        {"action": "deactivate"},
        name="account_deactivate",
    ),
    path(
        "users/<int:pk>/reactivate/",
        views.account_activation,
        {"action": "reactivate"},
        name="account_reactivate",
    ),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/unlock/", views.unlock, name="unlock"),
    path("events/", views.account_events, name="account_events"),
]
