"""The portal's URLs plus the baselines under /bench/ (mounted by bench/settings.py only)."""

from django.urls import include, path

from bench import views

app_name = None
baseline_patterns = [
    path("bare-list/", views.bare_list, name="bare_list"),
    path("empty/", views.empty_page, name="empty_page"),
    path("trivial/", views.trivial, name="trivial"),
]
urlpatterns = [
    path("bench/", include((baseline_patterns, "bench"))),
    path("", include("unionportal.urls")),
]
