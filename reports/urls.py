from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("annual/", views.AnnualSummaryView.as_view(), name="annual_summary"),
    path("missing-figures/", views.MissingFiguresView.as_view(), name="missing_figures"),
    path("standardization/", views.StandardizationReportView.as_view(), name="standardization_report"),
]
