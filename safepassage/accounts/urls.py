from django.urls import path

from safepassage.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("team/", views.team, name="team"),
    path("team/new/", views.member_create, name="member_create"),
    path("team/<int:pk>/", views.member_detail, name="member_detail"),
    path("team/<int:pk>/unlock/", views.member_unlock, name="member_unlock"),
]
