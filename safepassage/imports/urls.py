"""Import pages."""

from django.urls import path

from safepassage.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("field-form.xlsx", views.field_form, name="field_form"),
    path("template/<str:kind>.<str:file_format>", views.template, name="template"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/problems.csv", views.problems_csv, name="problems_csv"),
    path("<int:pk>/people.csv", views.people_csv, name="people_csv"),
    path("<int:pk>/columns/", views.job_remap, name="remap"),
    path("<int:pk>/apply/", views.job_apply, name="apply"),
    path("<int:pk>/not-same/", views.job_not_same, name="not_same"),
    path("<int:pk>/cancel/", views.job_cancel, name="cancel"),
]
