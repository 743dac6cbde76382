from django.urls import path

from safepassage.audit import views

app_name = "audit"
urlpatterns = [path("", views.trail, name="trail")]
