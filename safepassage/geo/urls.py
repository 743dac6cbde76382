from django.urls import path

from safepassage.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.area_list, name="area_list"),
    path("<str:code>/", views.area_list, name="area_detail"),
]
