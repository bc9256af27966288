"""The small tables a page's selects offer (sessions, categories, units, leaders, delegations, deputies), each
read once a request and shared by every form on the page.

    lists = ChoiceLists()
    lists.serve(filterset.form.fields["lead_unit"])  # every unit
    lists.serve(batch_form.fields["lead_unit"], keep=lambda unit: unit.is_active)  # the same rows, not read again

A ``ModelChoiceField`` reads its queryset through a server-side cursor (``QuerySet.iterator()``: DECLARE, FETCH,
CLOSE on PostgreSQL) each time it is rendered, and once more to check a chosen value; the list page offered the
units four times (the filter's 主办单位 and 协办单位, the batch bar's two pickers). A field served here offers the
rows of its model's default manager (in the model's ordering) that ``keep`` accepts, read in one plain SELECT
the first time any field asks, and finds a chosen value among them (a value not among them goes to the field's
own check, which refuses it or, as 届次 ``all``, knows it). ``keep`` must say what the field's queryset filters,
so the options are those the field accepts."""

import functools

from django.db import connections
from django.forms.models import ModelChoiceIterator, ModelMultipleChoiceField


class ChoiceLists:
    def __init__(self):
        self._rows = {}
        self._expected = []

    def expect(self, *models):
        """The tables the page will offer: the first read of any of them reads them all, on PostgreSQL in one
        round trip (``read_together``). The list's filters and batch bar offer five (the sessions, categories,
        leaders, delegations and units): five statements sent as one."""
        self._expected += [m for m in models if m not in self._expected and m not in self._rows]

    def rows(self, model) -> list:
        if model not in self._rows:
            models = [model] + [m for m in self._expected if m is not model and m not in self._rows]
            querysets = [m._default_manager.all() for m in models]
            self._rows.update(zip(models, read_together(querysets), strict=True))
        return self._rows[model]

    def attach(self, objs, names):
        """Give each of ``objs`` its related objects ``names`` (foreign keys to these small tables) from the
        shared rows, as ``select_related`` would without the joins: the list's 30 rows join only their lead
        deputy (each join to a small table cost the rows' query about 2 ms of planning and fetching at
        100,000 suggestions)."""
        if not objs:
            return objs
        meta = type(objs[0])._meta
        for name in names:
            field = meta.get_field(name)
            by_pk = {obj.pk: obj for obj in self.rows(field.related_model)}
            for obj in objs:
                value = getattr(obj, field.attname)
                field.set_cached_value(obj, None if value is None else by_pk.get(value))
        return objs

    def serve(self, field, keep=None):
        """Let ``field`` offer its choices, and check a chosen value, from the shared rows."""
        model = field.queryset.model

        def rows():
            everything = self.rows(model)
            return everything if keep is None else [obj for obj in everything if keep(obj)]

        field.iterator = functools.partial(_ListedChoices, rows=rows)
        field.widget.choices = field.choices
        if isinstance(field, ModelMultipleChoiceField):
            return  # its values are checked in one query (a batch's POST), as Django does
        checked = field.to_python  # the field's own (SessionField's knows ``all``)

        def to_python(value):
            if value not in field.empty_values and not isinstance(value, model):
                for obj in rows():
                    if str(obj.pk) == str(value):
                        return obj
            return checked(value)

        field.to_python = to_python


class _ListedChoices(ModelChoiceIterator):
    """As Django's, over a list read once instead of the queryset read again each time."""

    def __init__(self, field, rows):
        super().__init__(field)
        self.rows = rows

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:  # django-filter's 'null' choice
            yield (self.field.null_value, self.field.null_label)
        for obj in self.rows():
            yield self.choice(obj)

    def __len__(self):
        extra = (self.field.empty_label is not None) + (getattr(self.field, "null_label", None) is not None)
        return len(self.rows()) + extra

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.rows())


def read_together(querysets) -> list[list]:
    """``[list(qs) for qs in querysets]``, the statements sent to PostgreSQL as one (its simple query protocol
    runs them in turn and answers with each one's rows: one round trip instead of one each); elsewhere, or for
    a queryset that fetches more than its own model's rows, one query each."""
    querysets = list(querysets)
    dbs = {qs.db for qs in querysets}
    connection = connections[querysets[0].db] if querysets else None
    if (
        len(querysets) < 2
        or len(dbs) > 1
        or connection.vendor != "postgresql"
        or connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")  # no statements together
        or any(
            qs._prefetch_related_lookups or qs.query.select_related or qs.query.annotations
            for qs in querysets
        )
    ):
        return [list(qs) for qs in querysets]
    compilers = [qs.query.get_compiler(using=qs.db) for qs in querysets]
    statements = [compiler.as_sql() for compiler in compilers]
    results = []
    with connection.cursor() as cursor:
        cursor.execute(
            "; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params]
        )
        for index, compiler in enumerate(compilers):
            results.append(_instances(compiler, cursor.fetchall()))
            if index < len(compilers) - 1:
                cursor.nextset()
    return results


def _instances(compiler, rows) -> list:
    """The model instances of ``rows`` (fetched by ``compiler``'s SQL), as ``ModelIterable`` makes them: the
    fields' converters applied, then ``Model.from_db``."""
    model = compiler.klass_info["model"]
    start, end = compiler.klass_info["select_fields"][0], compiler.klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in compiler.select[start:end]]
    db = compiler.using
    return [model.from_db(db, names, row[start:end]) for row in compiler.results_iter(results=[rows])]
