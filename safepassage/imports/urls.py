"""Imports from other agencies and from field forms — pages."""

from django.urls import URLPattern

app_name = "imports"
urlpatterns: list[URLPattern] = []
