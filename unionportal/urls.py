"""The composition root: every app's URLs under its own prefix."""

from django.contrib import admin
from django.urls import include, path

from reports.views import HomeView
from unionportal.choices import choices

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("choices/", choices, name="choices"),
    path("accounts/", include("accounts.urls")),
    path("organizations/", include("organizations.urls")),
    path("cadres/", include("cadres.urls")),
    path("standards/", include("standards.urls")),
    path("activities/", include("activities.urls")),
    path("relief/", include("relief.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
