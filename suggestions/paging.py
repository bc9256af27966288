"""Pages of a list whose cost does not grow with the page's depth (docs/benchmarks.md, deep pages).

Django's ``Paginator`` fetches a page as the full query with ``OFFSET``: at page 2,000 the database builds
60,000 complete rows, their joins included, only to throw them away. ``DeferredJoinPaginator`` picks the page's
ids alone (the same filters and ordering, no joins the ordering does not need, no prefetch) and fetches the
rows by those ids with everything the list shows, through ``rows(ids)`` when given: a query that does not repeat
the filters (a keyword search would otherwise run a third time for 30 rows). The ids are a subquery of that one
query (``WHERE id IN (SELECT id … LIMIT 30 OFFSET n)``), so a page costs its count and one query, when the
ordering ranks every row apart (with ties, which tied rows a page holds would be the new plan's choice).

The count stays exact: the list tells users how many suggestions match. With ``count_with_page`` (a keyword
search, whose matches the database finds by reading the search rows) the count comes with the page's ids, as
``COUNT(*) OVER ()`` of the same query: the search runs once instead of once for the count and once for the
page; the rows by their ids follow (a total ordering here too). A page past the end falls back to the count
alone, as Django's does.
"""

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, Window


class DeferredJoinPaginator(Paginator):
    def __init__(self, object_list, per_page, *, rows=None, fetched=None, count_with_page=False, **kwargs):
        """``fetched(rows)``: called with the page's rows once fetched (to attach what they share)."""
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows or (lambda ids: self.object_list.filter(pk__in=ids))
        self.fetched = fetched or (lambda rows: rows)
        self.count_with_page = count_with_page and not self.orphans

    def _total_order(self) -> bool:
        """The list's ordering ranks every row apart (it holds a unique key: ``session_id, number``). With
        ties (``ordering=category``) which of the tied rows a page holds is the plan's choice, so such a page
        keeps the plan it had: its ids alone, then the rows."""
        ordering = self.object_list.query.order_by
        if not ordering or self.object_list.query.extra_order_by:
            return False
        meta = self.object_list.model._meta
        names = {o.lstrip("-").removesuffix("_id") for o in ordering if isinstance(o, str)}
        names = {meta.pk.name if name == "pk" else name for name in names}
        keys = [(f.name,) for f in meta.concrete_fields if f.unique] + [
            tuple(meta.get_field(name).name for name in c.fields) for c in meta.total_unique_constraints
        ]
        return any(set(key) <= names for key in keys)

    def _ids(self):
        return self.object_list.select_related(None).prefetch_related(None)

    def get_page(self, number):
        if self.count_with_page and "count" not in self.__dict__ and self._total_order():
            try:
                number = self.validate_number_format(number)
            except (TypeError, ValueError, InvalidPage):
                number = 1
            if number >= 1:
                bottom = (number - 1) * self.per_page
                found = list(
                    self._ids()
                    .annotate(_total=Window(Count("*")))
                    .values_list("pk", "_total")[bottom : bottom + self.per_page]
                )
                if found or number == 1:
                    self.__dict__["count"] = found[0][1] if found else 0  # the cached property, set
                    return self._page_of([pk for pk, _ in found], number)
        return super().get_page(number)

    def validate_number_format(self, number):
        """``validate_number`` without the range check (which needs the count)."""
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        return int(number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self._total_order():
            ids = self._ids().values("pk")[bottom:top]  # a subquery: the ids and the rows in one query
            rows = list(self.rows(ids).order_by(*self.object_list.query.order_by)) if top > bottom else []
            return self._get_page(self.fetched(rows), number, self)
        return self._page_of(list(self._ids().values_list("pk", flat=True)[bottom:top]), number)

    def _page_of(self, ids, number):
        rows = {row.pk: row for row in self.rows(ids)} if ids else {}
        return self._get_page(self.fetched([rows[pk] for pk in ids if pk in rows]), number, self)
