from django.urls import path

from cadres import views

app_name = "cadres"

urlpatterns = [
    path("", views.PostListView.as_view(), name="post_list"),
    path("add/", views.CadreCreateView.as_view(), name="cadre_create"),
    path("import/", views.CadreImportView.as_view(), name="cadre_import"),
    path("import/template/", views.CadreImportTemplateView.as_view(), name="cadre_import_template"),
    path("<int:pk>/", views.CadreDetailView.as_view(), name="cadre_detail"),
    path("<int:pk>/edit/", views.CadreUpdateView.as_view(), name="cadre_update"),
    path("<int:pk>/photo/", views.CadrePhotoView.as_view(), name="cadre_photo"),
    path("<int:pk>/reveal/", views.CadreRevealView.as_view(), name="cadre_reveal"),
    path("<int:pk>/posts/add/", views.PostCreateView.as_view(), name="post_create"),
    path("posts/<int:pk>/end/", views.PostEndView.as_view(), name="post_end"),
    path("training/", views.TrainingListView.as_view(), name="training_list"),
    path("training/add/", views.TrainingFormView.as_view(), name="training_create"),
    path("training/<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    path("training/<int:pk>/edit/", views.TrainingFormView.as_view(), name="training_update"),
]
