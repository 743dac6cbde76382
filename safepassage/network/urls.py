from django.urls import path

from safepassage.network import children_views, help_views, kinds, library_views, training_views, views

app_name = "network"
urlpatterns = [
    path("", views.directory_search, name="search"),
    path("expertise/", kinds.expertise_page, name="expertise_kinds"),
    path("responders/new/", views.responder_create, name="responder_create"),
    path("responders/<int:pk>/", views.responder_detail, name="responder"),
    path("responders/<int:pk>/edit/", views.responder_edit, name="responder_edit"),
    path("responders/<int:pk>/training/", views.training_add, name="training_add"),
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("committees/", views.committee_list, name="committees"),
    path("committees/new/", views.committee_create, name="committee_create"),
    path("committees/<int:pk>/", views.committee_detail, name="committee"),
    path("committees/<int:pk>/edit/", views.committee_edit, name="committee_edit"),
    path("committees/<int:pk>/seats/", views.committee_seat, name="committee_seat"),
    path("committees/<int:pk>/seats/remove/", views.committee_unseat, name="committee_unseat"),
    path("children/", children_views.group_list, name="children_groups"),
    path("children/<int:pk>/", children_views.group_detail, name="children_group"),
    path("focal-points/", views.focal_point_list, name="focal_points"),
    path("hotlines/", views.hotline_list, name="hotlines"),
    path("help-page/", help_views.help_data_page, name="help_data"),
    path("help-page/<str:what>/<int:pk>/checked/", help_views.help_data_check, name="help_data_check"),
    path("help-page/wages/", help_views.help_data_wage, name="help_data_wage"),
    path("trainings/<int:pk>/follow-up/", training_views.follow_up, name="training_follow_up"),
    path("trainees/", training_views.trainees, name="trainees"),
    path("library/", library_views.library_page, name="library"),
    path("library/<int:pk>/file/", library_views.library_file, name="library_file"),
    path("sharing/", views.sharing_agreement_list, name="sharing"),
]
