"""`in` on an integer column leaves out the values the column cannot hold, as Django's own
exact, gt, gte, lt and lte on integers do (`IntegerFieldOverflow`, which `in` lacks).

Without it a key too large for 64 bits (?branch=99999999999999999999999, or the same value
ticked in a multiple choice) reached SQLite's driver, which raised OverflowError: a 500 where
the value matches nothing. On PostgreSQL the comparison was already answered (no row)."""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
