"""Safe-migration pages: channels, registrations, check-ins, sites, recruiters' vacancies, reports."""

from django.urls import path

from safepassage.migration import report_views

app_name = "migration"
urlpatterns = [
    path("reports/", report_views.reports_page, name="reports"),
    path("reports/<slug:table>.csv", report_views.reports_csv, name="reports_csv"),
]
