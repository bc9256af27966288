"""The admin's read-only pages of what the app keeps for itself: the similar-suggestion index, the list's search
rows, and the figures' revisions and tallies. Imported by ``suggestions.admin``."""

from django.contrib import admin

from .admin import ReadOnlyAdmin
from .models import FigureRevision, FigureTally, SearchDocument, SearchTerm, SuggestionSearchText


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnlyAdmin):
    """相似建议's index, to read: kept by registration and edit, rebuilt by ``manage.py index_suggestions``."""

    list_display = ("suggestion", "length")
    list_select_related = ("suggestion",)


@admin.register(SearchTerm)
class SearchTermAdmin(ReadOnlyAdmin):
    """The postings of 相似建议's index: a suggestion's words and how often each occurs."""

    list_display = ("term", "suggestion", "tf", "length")
    list_select_related = ("suggestion",)
    search_fields = ("term",)


@admin.register(SuggestionSearchText)
class SuggestionSearchTextAdmin(ReadOnlyAdmin):
    """The list's keyword search rows, to read: kept by the workflow, rebuilt by ``manage.py index_suggestions``."""

    list_display = ("suggestion",)
    list_select_related = ("suggestion",)


@admin.register(FigureRevision)
class FigureRevisionAdmin(ReadOnlyAdmin):
    """How often each session's counted rows were written (the database's triggers keep it), to read."""

    list_display = ("session", "revision")
    list_select_related = ("session",)


@admin.register(FigureTally)
class FigureTallyAdmin(ReadOnlyAdmin):
    """The figures' tallies kept per session and scope (``suggestions.tallies``), to read."""

    list_display = ("session", "scope", "day", "revision")
    list_filter = ("scope",)
    list_select_related = ("session",)
