"""Finding the same person across agencies — pages."""

from django.urls import URLPattern

app_name = "linkage"
urlpatterns: list[URLPattern] = []
