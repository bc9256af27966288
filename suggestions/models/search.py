"""相似建议的索引: each suggestion's words (title and content) with how often each occurs, for ``suggestions.search``.

``SearchTerm`` is the postings table: one row per (suggestion, word) with its count ``tf`` and the suggestion's
length in words ``length`` (kept on every row, so a query reads the postings of its words and nothing else);
``SearchDocument`` holds one row per indexed suggestion with its length, whose count and mean BM25 needs.
Both are written only by ``search.index`` (registration, edit, the history import, ``index_suggestions``).
"""

from django.db import models


class SearchDocument(models.Model):
    suggestion = models.OneToOneField(
        "suggestions.Suggestion", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    length = models.PositiveIntegerField("词数")

    class Meta:
        verbose_name = verbose_name_plural = "相似检索文档"

    def __str__(self):
        return f"{self.suggestion_id}：{self.length}词"


class SearchTerm(models.Model):
    suggestion = models.ForeignKey("suggestions.Suggestion", on_delete=models.CASCADE, related_name="+")
    term = models.CharField("词", max_length=32)
    tf = models.PositiveSmallIntegerField("词频")
    length = models.PositiveIntegerField("词数")

    class Meta:
        verbose_name = verbose_name_plural = "相似检索词"
        # covering: a query's counts and sums read the index only (PostgreSQL's index-only scan, SQLite's too)
        indexes = [models.Index(fields=["term", "suggestion", "tf", "length"], name="search_term_postings")]

    def __str__(self):
        return f"{self.suggestion_id}：{self.term}×{self.tf}"


class SuggestionSearchText(models.Model):
    """The list's keyword search (``suggestions.listsearch``): one row per suggestion, written only by
    ``listsearch.refresh`` (registration, the workflow's actions that change what it holds, imports, the
    data migration, ``index_suggestions``).

    ``text``: the title and the content, one a line, what a term is matched against. ``grams``: its distinct
    character bigrams, those of every reply's 文号 (any state: whether the reader may read it is decided at
    search time), and ``d:<id>`` / ``u:<id>`` for the lead and joint deputies and the units of the current
    parts, separated by spaces. On PostgreSQL a GIN index on ``string_to_array(grams, ' ')`` (migration 0023)
    finds the suggestions holding every bigram of a term, and the term is then checked in full on those."""

    suggestion = models.OneToOneField(
        "suggestions.Suggestion", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField("检索文本")
    grams = models.TextField("检索词元")

    class Meta:
        verbose_name = verbose_name_plural = "列表检索文本"

    def __str__(self):
        return f"{self.suggestion_id}：{self.text[:20]}"
