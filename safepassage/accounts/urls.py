from django.urls import path

from safepassage.accounts import factor_views, views

app_name = "accounts"
urlpatterns = [
    path("me/", views.profile, name="profile"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/recovery-codes/", factor_views.recovery_codes, name="recovery_codes"),
    path("me/passkeys/<int:pk>/remove/", factor_views.passkey_remove, name="passkey_remove"),
    path("me/trusted/<int:pk>/forget/", factor_views.trusted_forget, name="trusted_forget"),
    # Everything under second-factor/ is open to a signed-in person who has not passed it yet.
    path("second-factor/", factor_views.verify, name="second_factor"),
    path("second-factor/setup/", factor_views.setup, name="second_factor_setup"),
    path(
        "second-factor/passkey/options/", factor_views.passkey_sign_in_options, name="passkey_sign_in_options"
    ),
    path("second-factor/passkey/", factor_views.passkey_sign_in, name="passkey_sign_in"),
    path("second-factor/passkey/new/options/", factor_views.passkey_add_options, name="passkey_add_options"),
    path("second-factor/passkey/new/", factor_views.passkey_add, name="passkey_add"),
    path("team/", views.team, name="team"),
    path("team/new/", views.member_create, name="member_create"),
    path("team/<int:pk>/", views.member_detail, name="member_detail"),
    path("team/<int:pk>/unlock/", views.member_unlock, name="member_unlock"),
    path(
        "team/<int:pk>/second-factor/reset/", factor_views.member_factors_reset, name="member_factors_reset"
    ),
    path(
        "team/<int:pk>/tokens/<int:token_pk>/revoke/",
        factor_views.member_token_revoke,
        name="member_token_revoke",
    ),
]
