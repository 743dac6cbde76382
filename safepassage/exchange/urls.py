"""Exchange pages."""

from django.urls import path

from safepassage.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.transfer_list, name="transfers"),
    path("peers/", views.peers, name="peers"),
    path("peers/<int:pk>/<slug:action>/", views.peer_status, name="peer_status"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("transfers/<int:pk>/<slug:action>/", views.transfer_act, name="act"),
    path("send/<int:case_pk>/", views.send, name="send"),
    path("aggregates/", views.aggregate_list, name="aggregates"),
    path("publications/", views.publication_list, name="publications"),
    path("publications/<int:pk>/", views.publication_detail, name="publication"),
]
