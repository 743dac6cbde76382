from django.urls import path

from safepassage.geo import tiles, views

app_name = "geo"
urlpatterns = [
    path("", views.area_list, name="area_list"),
    path("tiles/<slug:layer>/<int:z>/<int:x>/<int:y>", tiles.tile, name="tile"),
    path("<str:code>/", views.area_list, name="area_detail"),
]
