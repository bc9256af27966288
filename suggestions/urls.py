from django.urls import path

from .views import detail, home, notifications, registry, tools

app_name = "suggestions"

urlpatterns = [
    path("", home.home, name="home"),
    path("suggestions/", registry.suggestion_list, name="list"),
    path("suggestions/new/", registry.register, name="register"),
    path("suggestions/<int:pk>/", detail.detail, name="detail"),
    path("suggestions/<int:pk>/edit/", registry.edit, name="edit"),
    path("suggestions/<int:pk>/act/<slug:action>/", detail.act, name="act"),
    path("suggestions/<int:pk>/act/<slug:action>/<int:assignment_id>/", detail.act, name="act_on"),
    path("replies/<int:pk>/letter.pdf", detail.reply_attachment, name="reply_attachment"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_read, name="mark_read"),
    path("tools/deadline/", tools.deadline_preview, name="deadline_preview"),
]
