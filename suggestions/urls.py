from django.urls import path

from .views import (
    assessment,
    batch,
    dashboard,
    deliveries,
    detail,
    documents,
    downloads,
    history,
    holidays,
    home,
    imports,
    notifications,
    public,
    registry,
    tools,
)
from .views import exports as export_views
from .views import report as report_views

app_name = "suggestions"

urlpatterns = [
    path("", home.home, name="home"),
    path("suggestions/", registry.suggestion_list, name="list"),
    path("suggestions/batch/", batch.batch, name="batch"),
    path("suggestions/new/", registry.register, name="register"),
    path("suggestions/<int:pk>/", detail.detail, name="detail"),
    path("suggestions/<int:pk>/edit/", registry.edit, name="edit"),
    path("suggestions/<int:pk>/act/<slug:action>/", detail.act, name="act"),
    path("suggestions/<int:pk>/act/<slug:action>/<int:assignment_id>/", detail.act, name="act_on"),
    path("suggestions/<int:pk>/reply/<int:assignment_id>/", detail.reply_form, name="reply_form"),
    path("replies/<int:pk>/letter.pdf", detail.reply_attachment, name="reply_attachment"),
    path("replies/<int:pk>/letter.docx", detail.reply_letter, name="reply_letter"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/assessment/", assessment.unit_assessment, name="assessment"),
    path("reports/handling.docx", report_views.handling_report, name="handling_report"),
    path("documents/assignments/<int:pk>/notice.docx", documents.assignment_notice, name="assignment_notice"),
    path("documents/units/notice.docx", documents.unit_notice, name="unit_notice"),
    path(
        "documents/supervision/<int:pk>/notice.docx", documents.supervision_notice, name="supervision_notice"
    ),
    path("exports/summary.xlsx", export_views.export_summary, name="export_summary"),
    path("exports/statistics.xlsx", export_views.export_statistics, name="export_statistics"),
    path("downloads/", downloads.download_list, name="downloads"),
    path("downloads/<int:pk>/", downloads.job_page, name="job"),
    path("downloads/<int:pk>/progress/", downloads.job_progress, name="job_progress"),
    path("downloads/<int:pk>/file/", downloads.job_file, name="job_file"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.mark_read, name="mark_read"),
    path("deliveries/", deliveries.delivery_list, name="deliveries"),
    path("deliveries/<int:pk>/retry/", deliveries.delivery_retry, name="delivery_retry"),
    path("deliveries/retry-failed/", deliveries.delivery_retry_failed, name="delivery_retry_failed"),
    path("holidays/", holidays.holiday_list, name="holidays"),
    path("holidays/save/", holidays.holiday_save, name="holiday_save"),
    path("holidays/<int:year>/delete/", holidays.holiday_delete, name="holiday_delete"),
    path("tools/deadline/", tools.deadline_preview, name="deadline_preview"),
    path("tools/number-hint/", tools.number_hint, name="number_hint"),
    path("tools/similar-titles/", tools.similar_titles, name="similar_titles"),
    path("imports/", imports.upload, name="import_upload"),
    path("imports/preview/", imports.preview, name="import_preview"),
    path("imports/confirm/", imports.confirm, name="import_confirm"),
    path("imports/cancel/", imports.cancel, name="import_cancel"),
    path("imports/template.xlsx", imports.template, name="import_template"),
    path("imports/history/", history.upload, name="history_upload"),
    path("imports/history/preview/", history.preview, name="history_preview"),
    path("imports/history/confirm/", history.confirm, name="history_confirm"),
    path("imports/history/cancel/", history.cancel, name="history_cancel"),
    # 公开: open without login (suggestions/views/public.py)
    path("public/", public.reply_list, name="public"),
    path("public/replies/<int:pk>/", public.reply_detail, name="public_reply"),
]
