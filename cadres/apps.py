from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("Cadres")

    def ready(self):
        from cadres import imports  # noqa: F401  registers the importer
        from cadres.panels import team_panel
        from organizations import panels

        panels.register(team_panel)
