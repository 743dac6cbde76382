"""Case pages, the call log, referrals, case alerts and lessons learned."""

from django.urls import path

from safepassage.cases import break_glass_views, child_views, pdf_views, views
from safepassage.cases.lessons_views import lessons_csv, lessons_page, lessons_pdf, lessons_routes

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("return-measures/", views.return_measures_list, name="return_measures_list"),
    path("mine/", views.my_cases, name="my_cases"),
    path("new/", views.case_new, name="case_new"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("<int:pk>/child/", child_views.case_child, name="case_child"),
    path("detention/", child_views.detention_list, name="detention"),
    path("<int:pk>/summary.pdf", pdf_views.case_summary_pdf, name="case_summary_pdf"),
    path("<int:pk>/repatriations/<int:item>/packet.pdf", pdf_views.packet_pdf, name="packet_pdf"),
    path("<int:pk>/add/<slug:kind>/", views.case_add, name="case_add"),
    path("<int:pk>/mark/<slug:kind>/<int:item>/", views.case_mark, name="case_mark"),
    path("intake/", views.intake_list, name="intake_list"),
    path("intake/new/", views.intake_new, name="intake_new"),
    path("intake/<int:pk>/", views.intake_detail, name="intake_detail"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:pk>/<slug:verb>/", views.referral_answer, name="referral_answer"),
    path("pick/<slug:kind>/", views.pick, name="pick"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", views.alert_update, name="alert_update"),
    path("emergency/", break_glass_views.emergency_open, name="emergency"),
    path("emergency/reviews/", break_glass_views.emergency_reviews, name="emergency_reviews"),
    path("emergency/<int:pk>/review/", break_glass_views.emergency_review, name="emergency_review"),
    path("lessons/", lessons_page, name="lessons"),
    path("lessons/<slug:table>.csv", lessons_csv, name="lessons_csv"),
    path("lessons/routes.json", lessons_routes, name="lessons_routes"),
    path("lessons.pdf", lessons_pdf, name="lessons_pdf"),
]
