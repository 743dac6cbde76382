from django.urls import path

from safepassage.privacy import views

app_name = "privacy"

urlpatterns = [
    path("people/<int:pk>/", views.person_rights, name="person"),
    path("people/<int:pk>/erase/", views.person_erase, name="erase"),
    path("people/<int:pk>/access-export/", views.person_access_export, name="access_export"),
    path("people/<int:pk>/corrections/", views.correction_create, name="correction_create"),
    path("people/<int:pk>/guardian/", views.guardian_consent, name="guardian"),
    path("people/<int:pk>/own-consent/", views.own_consent, name="own_consent"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/<int:pk>/", views.correction_resolve, name="correction_resolve"),
    path("turning-18/", views.turning_18, name="turning_18"),
    path("cases/<int:pk>/withdraw-consent/", views.case_withdraw, name="case_withdraw"),
    path("referrals/<int:pk>/withdraw-consent/", views.referral_withdraw, name="referral_withdraw"),
]
