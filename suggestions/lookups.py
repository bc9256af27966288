"""An id out of the database's integer range matches nothing, in every lookup (``?deputies=1180591620717411303424``).

Django already answers ``=``, ``<`` and ``>`` on integer fields so; ``in`` and the foreign keys' ``=`` and ``in``
passed the number on, and SQLite's driver raised OverflowError: a 500 from a typed-in id. Registered once, in
``SuggestionsConfig.ready``, for every model (the accounts' too).
"""

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In


def _in_range(lookup, connection, value):
    if not isinstance(value, int) or isinstance(value, bool):
        return True
    field = lookup.lhs.output_field
    field = getattr(field, "target_field", None) or field  # a foreign key holds its target's type
    try:
        low, high = connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:
        return True
    return (low is None or value >= low) and (high is None or value <= high)


class _InRange:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and not getattr(self.rhs, "resolve_expression", None):
            if self.lookup_name == "in":
                self.rhs = [v for v in self.rhs if _in_range(self, connection, v)]
                if not self.rhs:
                    raise EmptyResultSet
            elif not _in_range(self, connection, self.rhs):
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)


class IntegerIn(_InRange, In):
    pass


class ForeignKeyExact(_InRange, RelatedExact):
    pass


class ForeignKeyIn(_InRange, RelatedIn):
    pass


def register():
    models.IntegerField.register_lookup(IntegerIn)
    models.ForeignKey.register_lookup(ForeignKeyExact)
    models.ForeignKey.register_lookup(ForeignKeyIn)
