from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities and honours")

    def ready(self):
        from activities import imports  # noqa: F401  registers the importers
        from activities.panels import activities_panel
        from organizations import panels

        panels.register(activities_panel)
