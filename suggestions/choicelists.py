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

from django.forms.models import ModelChoiceIterator, ModelMultipleChoiceField


class ChoiceLists:
    def __init__(self):
        self._rows = {}

    def rows(self, model) -> list:
        if model not in self._rows:
            self._rows[model] = list(model._default_manager.all())
        return self._rows[model]

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
