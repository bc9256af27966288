"""Pages of a list whose cost does not grow with the page's depth (docs/benchmarks.md, deep pages).

Django's ``Paginator`` fetches a page as the full query with ``OFFSET``: at page 2,000 the database builds
60,000 complete rows, their joins included, only to throw them away. ``DeferredJoinPaginator`` first reads
the page's ids alone (the same filters and ordering, no joins the ordering does not need, no prefetch), then
the page's rows by those ids with everything the list shows, through ``rows(ids)`` when given: a query that
does not repeat the filters (a keyword search would otherwise run a third time for 30 rows). The count stays
exact: the list tells users how many suggestions match.
"""

from django.core.paginator import Paginator


class DeferredJoinPaginator(Paginator):
    def __init__(self, object_list, per_page, *, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.rows = rows or (lambda ids: self.object_list.filter(pk__in=ids))

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(
            self.object_list.select_related(None)
            .prefetch_related(None)
            .values_list("pk", flat=True)[bottom:top]
        )
        rows = {row.pk: row for row in self.rows(ids)} if ids else {}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
