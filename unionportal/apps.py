from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class UnionportalConfig(AppConfig):
    default = True
    name = "unionportal"
    verbose_name = "unionportal"

    def ready(self):
        from unionportal import cache, history, lookups  # noqa: F401 (registers the lookup)

        cache.connect()
        history.cache_history_managers()


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "unionportal.admin_site.PortalAdminSite"
