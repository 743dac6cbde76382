from django.urls import path

from safepassage.prevention import views

app_name = "prevention"
urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("villages/<str:code>/", views.village, name="village"),
    path("people/<int:pk>/", views.person, name="person"),
    path("households/<int:pk>/", views.household, name="household"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("impact/", views.impact_view, name="impact"),
    path("packages/", views.packages_view, name="packages"),
    path("displacement/", views.displacement_view, name="displacement"),
]
