from django.urls import path

from relief import views

app_name = "relief"

urlpatterns = [
    path("", views.BeneficiaryListView.as_view(), name="beneficiary_list"),
    path("add/", views.BeneficiaryFormView.as_view(), name="beneficiary_create"),
    path("import/", views.BeneficiaryImportView.as_view(), name="beneficiary_import"),
    path("import/template/", views.BeneficiaryImportTemplateView.as_view(), name="beneficiary_import_template"),
    path("<int:pk>/", views.BeneficiaryDetailView.as_view(), name="beneficiary_detail"),
    path("<int:pk>/edit/", views.BeneficiaryFormView.as_view(), name="beneficiary_update"),
    path("<int:pk>/reveal/", views.BeneficiaryRevealView.as_view(), name="beneficiary_reveal"),
    path("<int:pk>/reviews/add/", views.ReviewCreateView.as_view(), name="review_create"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/add/", views.ProgrammeFormView.as_view(), name="programme_create"),
    path("programmes/<int:pk>/", views.ProgrammeDetailView.as_view(), name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.ProgrammeFormView.as_view(), name="programme_update"),
    path("disbursements/", views.DisbursementListView.as_view(), name="disbursement_list"),
    path("disbursements/add/", views.DisbursementCreateView.as_view(), name="disbursement_create"),
    path("disbursements/import/", views.DisbursementImportView.as_view(), name="disbursement_import"),
    path(
        "disbursements/import/template/",
        views.DisbursementImportTemplateView.as_view(),
        name="disbursement_import_template",
    ),
    path("disbursements/payout/", views.DisbursementPayoutView.as_view(), name="disbursement_payout"),
    path("disbursements/publicity/", views.DisbursementPublicityView.as_view(), name="disbursement_publicity"),
    path("disbursements/<int:pk>/", views.DisbursementDetailView.as_view(), name="disbursement_detail"),
    path("disbursements/<int:pk>/edit/", views.DisbursementUpdateView.as_view(), name="disbursement_update"),
    path("disbursements/<int:pk>/submit/", views.DisbursementSubmitView.as_view(), name="disbursement_submit"),
    path("disbursements/<int:pk>/approve/", views.DisbursementApproveView.as_view(), name="disbursement_approve"),
    path("disbursements/<int:pk>/return/", views.DisbursementReturnView.as_view(), name="disbursement_return"),
    path("disbursements/<int:pk>/pay/", views.DisbursementPayView.as_view(), name="disbursement_pay"),
    path("disbursements/<int:pk>/reverse/", views.DisbursementReverseView.as_view(), name="disbursement_reverse"),
]
