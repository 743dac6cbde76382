from django.urls import path

from safepassage.registry import document_views, views

app_name = "registry"
urlpatterns = [
    path("villages/", views.village_list, name="village_list"),
    path("villages/<str:code>/", views.village_detail, name="village_detail"),
    path("villages/<str:code>/assess/", views.village_assess, name="village_assess"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/documents/", document_views.person_documents, name="person_documents"),
    path("people/<int:pk>/assess/", views.person_assess, name="person_assess"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("catalogue/", views.catalogue_list, name="catalogue_list"),
    path("catalogue/v<int:version>/", views.catalogue_detail, name="catalogue_detail"),
]
