"""Record linkage pages."""

from django.urls import path

from safepassage.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<int:pk>/", views.pair, name="pair"),
    path("pairs/<int:pk>/decide/", views.decide, name="decide"),
    path("merges/<int:pk>/undo/", views.undo, name="undo"),
]
