from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReliefConfig(AppConfig):
    name = "relief"
    verbose_name = _("Relief")

    def ready(self):
        from organizations import panels
        from relief import imports  # noqa: F401  registers the importers
        from relief.panels import relief_panel

        panels.register(relief_panel)
