from django.urls import path

from safepassage.reports import views

app_name = "reports"
urlpatterns = [
    path("risk/", views.risk, name="risk"),
    path("priorities/", views.priorities, name="priorities"),
    path("drivers/<str:code>/", views.drivers, name="drivers"),
    path("documentation/", views.documentation, name="documentation"),
    path("map/", views.risk_map, name="map"),
    path("map/data/", views.risk_map_data, name="map_data"),
]
