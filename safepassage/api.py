"""The API at /api/v1/: one NinjaAPI, bearer tokens, one error shape for every failure."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

import safepassage
from safepassage.accounts.api import BearerAuth
from safepassage.accounts.api import router as accounts_router
from safepassage.audit.api import router as audit_router
from safepassage.cases.api import router as cases_router
from safepassage.cases.break_glass_api import router as break_glass_router
from safepassage.cases.child_api import router as child_roles_router
from safepassage.cases.lessons_api import router as lessons_router
from safepassage.cases.pdf_api import router as cases_pdf_router
from safepassage.cases.sharing_api import router as cases_sharing_router
from safepassage.core.api import bound_numbers, error_body, field_errors
from safepassage.core.importing import ImportRejected
from safepassage.exchange.api import router as exchange_router
from safepassage.exports.api import router as exports_router
from safepassage.geo.api import router as geo_router
from safepassage.imports.api import router as imports_router
from safepassage.linkage.api import router as linkage_router
from safepassage.migration.api import router as migration_router
from safepassage.migration.followup_api import router as migration_followup_router
from safepassage.migration.report_api import router as migration_reports_router
from safepassage.network.api import router as network_router
from safepassage.network.children_api import router as children_groups_router
from safepassage.network.library_api import router as network_library_router
from safepassage.notify.api import router as notify_router
from safepassage.prevention.api import router as prevention_router
from safepassage.privacy.api import router as privacy_router
from safepassage.registry.api import router as registry_router
from safepassage.registry.documents_api import router as registry_documents_router
from safepassage.reports.api import router as reports_router
from safepassage.workplaces.api import router as workplaces_router
from safepassage.workplaces.links_api import router as workplaces_links_router
from safepassage.workplaces.status_api import router as employer_standing_router

api = NinjaAPI(
    title="SafePassage API",
    version=safepassage.__version__,
    description=(
        "Every record belongs to an agency. "
        "Send `Authorization: Bearer <token>` (from `POST /api/v1/auth/token` with your username, password "
        "and `otp`, a code from your authenticator app). "
        "Records you may not see answer 404, exactly like records that do not exist. "
        'Errors are `{"detail": ..., "errors": [{"field": ..., "message": ...}]}`.'
    ),
    auth=BearerAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api.create_response(
        request, error_body(_("Send a valid API token: Authorization: Bearer <token>.")), status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="safepassage"'
    return response


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", [])]
        # ("body", "payload", "field", …) or ("query", "field"): keep only the field path.
        if location and location[0] == "body":
            location = location[2:] if len(location) > 2 else location[1:]
        elif location:
            location = location[1:]
        errors.append({"field": ".".join(location), "message": error.get("msg", "")})
    return api.create_response(request, error_body(_("Some fields are not right."), errors), status=422)


@api.exception_handler(DjangoValidationError)
def _rejected(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(
        request, error_body(_("Some fields are not right."), field_errors(exc)), status=400
    )


@api.exception_handler(ImportRejected)
def _import_rejected(request: HttpRequest, exc: ImportRejected) -> HttpResponse:
    errors = [{"field": e.column, "message": str(e), "row": e.row} for e in exc.errors]
    return api.create_response(request, error_body(str(exc), errors), status=400)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, error_body(_("Not found.")), status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, error_body(str(exc) or _("You may not do this.")), status=403)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body(str(exc.message)), status=exc.status_code)


def _register(*routers: Any) -> None:
    for router in routers:
        api.add_router("", router)


_register(
    accounts_router,
    geo_router,
    audit_router,
    registry_router,
    registry_documents_router,
    reports_router,
    workplaces_router,
    employer_standing_router,
    workplaces_links_router,
    network_router,
    children_groups_router,
    network_library_router,
    cases_router,
    child_roles_router,
    cases_sharing_router,
    break_glass_router,
    cases_pdf_router,
    migration_router,
    migration_followup_router,
    migration_reports_router,
    prevention_router,
    lessons_router,
    imports_router,
    exports_router,
    linkage_router,
    privacy_router,
    exchange_router,
    notify_router,
)
# Every whole number the API takes (ids, pages, counts) is bounded: a huge one is a 422 naming the field.
bound_numbers(
    model
    for _prefix, router in api._routers
    for path_view in router.path_operations.values()
    for operation in path_view.operations
    for model in operation.models
)
