"""The portal's authentication backend: Django's model backend, with the user's organization
read in the same query as the user (every page names it, and scopes by its path).

That query runs on every request, so its statement is compiled once per process and database
(`UserLookup`) instead of through a queryset each time: building and compiling the join of the
user's 14 columns with the organization's 15 took twice as long as PostgreSQL took to answer it
(about 1.1 ms a request against 0.35 ms on the benchmark's province, measured in turns). The row
is still read from the database on every request, so a deactivated user, a changed password or
a moved organization counts from the next request on, in every process."""

import threading

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models.query import get_related_populators


class UserLookup:
    """`User.objects.select_related("organization").get(pk=...)`, compiled once per database.

    The statement is the one Django writes for that queryset, with the key as its only
    parameter; a row is turned into the user and their organization the way Django's model
    iterable does (the compiler's converters, then `from_db` for each model)."""

    def __init__(self):
        self._compiled = {}
        self._lock = threading.Lock()

    def queryset(self):
        return get_user_model()._default_manager.select_related("organization").order_by()

    def compile(self, alias):
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias) or self._compile(alias)
                self._compiled[alias] = compiled
        return compiled

    def _compile(self, alias):
        probe = self.queryset().filter(pk=0)[:1]
        compiler = probe.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if list(params) != [0]:  # a statement with other parameters: not one to reuse as it is
            return None
        klass_info = compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return {
            "sql": sql,
            "compiler": compiler,
            "model": klass_info["model"],
            "fields": [column[0].target.attname for column in compiler.select[start:end]],
            "span": (start, end),
            "populators": get_related_populators(klass_info, compiler.select, alias),
        }

    def get(self, pk):
        """The user with this key and their organization, or None."""
        model = get_user_model()
        alias = router.db_for_read(model)
        compiled = self.compile(alias)
        if compiled is None:
            return self.queryset().filter(pk=pk).first()
        with connections[alias].cursor() as cursor:
            cursor.execute(compiled["sql"], [pk])
            rows = cursor.fetchall()
        start, end = compiled["span"]
        for row in compiled["compiler"].results_iter([rows]):
            user = compiled["model"].from_db(alias, compiled["fields"], row[start:end])
            for populator in compiled["populators"]:
                populator.populate(row, user)
            return user
        return None


user_lookup = UserLookup()


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding a key that is no key holds no user
            return None
        user = user_lookup.get(pk)
        return user if user is not None and self.user_can_authenticate(user) else None
