import importlib

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_shipped_titles(sender, apps=global_apps, **kwargs):
    """The shipped honour titles are always there: after `migrate`, and after a `flush` (which
    empties every table and then sends post_migrate, as the transactional tests do). `migrate`
    passes the migrated state's models; `flush` passes none, so the app registry's serve."""
    shipped = importlib.import_module("activities.migrations.0002_shipped_honour_titles")
    shipped.add_titles(apps, None)


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities and honours")

    def ready(self):
        from activities import imports  # noqa: F401  registers the importers
        from activities.panels import activities_panel
        from organizations import panels

        panels.register(activities_panel)
        post_migrate.connect(ensure_shipped_titles, sender=self)
