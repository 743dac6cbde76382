"""Safe-migration pages: channels, registrations, check-ins, sites, recruiters' vacancies, reports."""

from django.urls import path

from safepassage.migration import followup_views, recruiter_views, report_views, views

app_name = "migration"
urlpatterns = [
    path("", views.channel_list, name="channels"),
    path("channels/new/", views.channel_new, name="channel_new"),
    path("channels/<int:pk>/", views.channel_detail, name="channel"),
    path("channels/<int:pk>/recruiters/", recruiter_views.channel_recruiters, name="channel_recruiters"),
    path("red-flags/", recruiter_views.red_flags, name="red_flags"),
    path("channels/<int:pk>/register/", views.register, name="register"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration"),
    path("registrations/<int:pk>/checkin/", views.checkin, name="checkin"),
    path("registrations/<int:pk>/do/<slug:verb>/", views.registration_action, name="registration_action"),
    path("registrations/<int:pk>/after/<slug:verb>/", followup_views.followup_action, name="followup_action"),
    path("disputes/", followup_views.disputes, name="disputes"),
    path("overdue/", views.overdue, name="overdue"),
    path("sites/", views.site_list, name="sites"),
    path("sites/new/", views.site_new, name="site_new"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("vacancies/", views.vacancy_list, name="vacancies"),
    path("reports/", report_views.reports_page, name="reports"),
    path("reports/<slug:table>.csv", report_views.reports_csv, name="reports_csv"),
    path("reports.pdf", report_views.reports_pdf, name="reports_pdf"),
]
