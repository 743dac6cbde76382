"""URLs: the UI, the API at /api/v1/, and /healthz."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from safepassage.accounts.views import LoginView
from safepassage.api import api
from safepassage.network import help_views
from safepassage.web import views as web_views

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    # The public help page for migrants: no sign-in, no cookie, only a count per day and language.
    path("help/", help_views.help_page, name="help"),
    path("help/<str:language>/", help_views.help_page, name="help_language"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("safepassage.accounts.urls")),
    path("areas/", include("safepassage.geo.urls")),
    path("audit/", include("safepassage.audit.urls")),
    path("risk/", include("safepassage.registry.urls")),
    path("reports/", include("safepassage.reports.urls")),
    path("workplaces/", include("safepassage.workplaces.urls")),
    path("cases/", include("safepassage.cases.urls")),
    path("migration/", include("safepassage.migration.urls")),
    path("prevention/", include("safepassage.prevention.urls")),
    path("network/", include("safepassage.network.urls")),
    path("imports/", include("safepassage.imports.urls")),
    path("exports/", include("safepassage.exports.urls")),
    path("linkage/", include("safepassage.linkage.urls")),
    path("privacy/", include("safepassage.privacy.urls")),
    path("exchange/", include("safepassage.exchange.urls")),
    path("notify/", include("safepassage.notify.urls")),
    path("i18n/setlang/", web_views.language_set, name="set_language"),
    path("api/v1/", api.urls),
    path("", include("safepassage.web.urls")),
]
