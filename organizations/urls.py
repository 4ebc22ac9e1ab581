from django.urls import path

from organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path("tree/", views.OrganizationTreeView.as_view(), name="organization_tree"),
    path("tree/<int:pk>/children/", views.OrganizationTreeChildrenView.as_view(), name="organization_tree_children"),
    path("add/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path("import/", views.OrganizationImportView.as_view(), name="organization_import"),
    path("import/template/", views.OrganizationImportTemplateView.as_view(), name="organization_import_template"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("<int:pk>/edit/", views.OrganizationUpdateView.as_view(), name="organization_update"),
    path("<int:pk>/move/", views.OrganizationMoveView.as_view(), name="organization_move"),
    path("<int:pk>/deactivate/", views.OrganizationDeactivateView.as_view(), name="organization_deactivate"),
    path("<int:pk>/reactivate/", views.OrganizationReactivateView.as_view(), name="organization_reactivate"),
    path("<int:pk>/delete/", views.OrganizationDeleteView.as_view(), name="organization_delete"),
    path("<int:pk>/figures/add/", views.MembershipFigureCreateView.as_view(), name="membershipfigure_create"),
    path("figures/<int:pk>/edit/", views.MembershipFigureUpdateView.as_view(), name="membershipfigure_update"),
    path("funds/", views.FundAllocationListView.as_view(), name="fundallocation_list"),
    path("funds/add/", views.FundAllocationCreateView.as_view(), name="fundallocation_create"),
    path("funds/<int:pk>/", views.FundAllocationDetailView.as_view(), name="fundallocation_detail"),
    path("funds/<int:pk>/edit/", views.FundAllocationUpdateView.as_view(), name="fundallocation_update"),
    path("funds/<int:pk>/delete/", views.FundAllocationDeleteView.as_view(), name="fundallocation_delete"),
]
