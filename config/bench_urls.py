"""The project's URLs plus a plain Django admin for the benchmark's baseline (scripts/bench.py, docs/benchmarks.md).

``bench-admin/`` is a separate ``AdminSite`` on which ``Suggestion`` is registered with a ``ModelAdmin`` of all
defaults: the changelist every Django user knows, against which the bench holds the project's pages. Only the bench
uses this module (``ROOT_URLCONF="config.bench_urls"``); ``config.urls`` does not include it.
"""

from django.contrib import admin
from django.urls import path

from suggestions.models import Suggestion

from .urls import urlpatterns as project_urlpatterns

bench_admin = admin.AdminSite(name="bench_admin")
bench_admin.register(Suggestion, admin.ModelAdmin)

urlpatterns = [path("bench-admin/", bench_admin.urls), *project_urlpatterns]
