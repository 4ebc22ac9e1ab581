from django.urls import path

from standards import views

app_name = "standards"

urlpatterns = [
    path("", views.StandardListView.as_view(), name="standard_list"),
    path("add/", views.StandardFormView.as_view(), name="standard_create"),
    path("<int:pk>/", views.StandardDetailView.as_view(), name="standard_detail"),
    path("<int:pk>/edit/", views.StandardFormView.as_view(), name="standard_update"),
    path("assessments/", views.AssessmentListView.as_view(), name="assessment_list"),
    path("assessments/add/", views.AssessmentCreateView.as_view(), name="assessment_create"),
    path("assessments/<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.AssessmentEditView.as_view(), name="assessment_edit"),
    path("assessments/<int:pk>/submit/", views.AssessmentSubmitView.as_view(), name="assessment_submit"),
    path("assessments/<int:pk>/approve/", views.AssessmentApproveView.as_view(), name="assessment_approve"),
    path("assessments/<int:pk>/return/", views.AssessmentReturnView.as_view(), name="assessment_return"),
    path("assessments/items/<int:pk>/evidence/", views.EvidenceUploadView.as_view(), name="evidence_upload"),
    path("assessments/evidence/<int:pk>/", views.EvidenceImageView.as_view(), name="evidence_image"),
    path("assessments/evidence/<int:pk>/delete/", views.EvidenceDeleteView.as_view(), name="evidence_delete"),
]
