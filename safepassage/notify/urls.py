from django.urls import path

from safepassage.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_read, name="read"),
    path("settings/", views.preferences, name="preferences"),
    path("line/webhook", views.line_webhook, name="line_webhook"),
]
