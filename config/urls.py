from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "人大代表建议办理系统 管理后台"
admin.site.site_title = "建议办理管理后台"
admin.site.index_title = "基础数据与记录"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("suggestions.urls")),
]
