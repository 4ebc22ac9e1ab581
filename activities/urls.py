from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.ActivityListView.as_view(), name="activity_list"),
    path("add/", views.ActivityFormView.as_view(), name="activity_create"),
    path("import/", views.ActivityImportView.as_view(), name="activity_import"),
    path("import/template/", views.ActivityImportTemplateView.as_view(), name="activity_import_template"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("<int:pk>/edit/", views.ActivityFormView.as_view(), name="activity_update"),
    path("<int:pk>/photos/add/", views.ActivityPhotoUploadView.as_view(), name="activity_photo_upload"),
    path("photos/<int:pk>/", views.ActivityPhotoImageView.as_view(), name="activity_photo_image"),
    path("photos/<int:pk>/delete/", views.ActivityPhotoDeleteView.as_view(), name="activity_photo_delete"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/add/", views.CampaignFormView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.CampaignFormView.as_view(), name="campaign_update"),
    path("honours/", views.HonourListView.as_view(), name="honour_list"),
    path("honours/add/", views.HonourFormView.as_view(), name="honour_create"),
    path("honours/import/", views.HonourImportView.as_view(), name="honour_import"),
    path("honours/import/template/", views.HonourImportTemplateView.as_view(), name="honour_import_template"),
    path("honours/matrix/", views.HonourMatrixView.as_view(), name="honour_matrix"),
    path("honours/<int:pk>/", views.HonourDetailView.as_view(), name="honour_detail"),
    path("honours/<int:pk>/edit/", views.HonourFormView.as_view(), name="honour_update"),
    path("honours/<int:pk>/confer/", views.HonourConferView.as_view(), name="honour_confer"),
    path("honours/titles/", views.HonourTitleListView.as_view(), name="honourtitle_list"),
    path("honours/titles/add/", views.HonourTitleFormView.as_view(), name="honourtitle_create"),
    path("honours/titles/<int:pk>/", views.HonourTitleDetailView.as_view(), name="honourtitle_detail"),
    path("honours/titles/<int:pk>/edit/", views.HonourTitleFormView.as_view(), name="honourtitle_update"),
]
