from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("standardization/", views.StandardizationReportView.as_view(), name="standardization_report"),
]
