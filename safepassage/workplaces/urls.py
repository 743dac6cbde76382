from django.urls import path

from safepassage.workplaces import kinds, links_views, status_views, views

app_name = "workplaces"
urlpatterns = [
    path("", views.workplace_list, name="list"),
    path("sectors/", kinds.sectors, name="sectors"),
    path("map/", views.workplace_map, name="map"),
    path("map/data/", views.workplace_geojson, name="map_data"),
    path("export.<str:fmt>", views.workplace_export, name="export"),
    path("new/", views.workplace_create, name="create"),
    path("watch/", views.watch_list, name="watch"),
    path("employers/", views.employer_list, name="employers"),
    path("employers/<int:pk>/", status_views.employer_detail, name="employer"),
    path("recruiters/", views.recruiter_list, name="recruiters"),
    path("hotspots/", links_views.hotspots, name="hotspots"),
    path("media/", links_views.media_queue, name="media"),
    path("media/<int:pk>/review/", links_views.media_review, name="media_review"),
    path("<int:pk>/connections/", links_views.connections, name="connections"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/", views.workplace_detail, name="detail"),
    path("<int:pk>/report/", views.submission_create, name="submit"),
]
