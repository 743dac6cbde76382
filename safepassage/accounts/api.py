"""API: bearer tokens, who am I, agencies and (for administrators) members."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer

from safepassage.accounts import second_factor, selectors, services
from safepassage.accounts.forms import LoginForm
from safepassage.accounts.models import ApiToken, Membership, hash_token
from safepassage.core.api import ErrorOut


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`; unknown, revoked and expired tokens all give 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.token_user(token)
        if user is None:
            return None
        request.user = user
        return user


router = Router(tags=["accounts"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str = Field(
        "", max_length=64, description="A current code from the authenticator app, or a recovery code"
    )
    name: str = ""


class OtpRequiredOut(ErrorOut):
    otp_required: bool = True


class TokenOut(Schema):
    token: str
    expires_at: datetime


class AgencyOut(Schema):
    code: str
    name: str
    kind: str
    country: str


class MembershipOut(Schema):
    id: int
    agency: AgencyOut
    role: str
    areas: list[str]
    active: bool

    @staticmethod
    def resolve_areas(obj: Membership) -> list[str]:
        return [area.code for area in obj.areas.all()]


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    language: str
    memberships: list[MembershipOut]


class MemberOut(MembershipOut):
    username: str
    full_name: str
    failed_logins: int
    under_attack: bool

    @staticmethod
    def resolve_username(obj: Membership) -> str:
        return obj.user.username

    @staticmethod
    def resolve_full_name(obj: Membership) -> str:
        return obj.user.get_full_name()

    @staticmethod
    def resolve_failed_logins(obj: Membership) -> int:
        return obj.user.failed_logins

    @staticmethod
    def resolve_under_attack(obj: Membership) -> bool:
        return obj.user.under_attack()


@router.post(
    "/auth/token", auth=None, response={201: TokenOut, 401: OtpRequiredOut, 403: ErrorOut, 429: ErrorOut}
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """Exchange a username, password and second-factor code (`otp`) for a bearer token. A wrong password, an
    unknown username and an account that must wait after wrong passwords all answer 401 alike; too many wrong
    passwords from one address answer 429. A right password with a missing or wrong `otp` is 401 with
    `"otp_required": true`; accounts with passkeys only make tokens on their profile page."""
    form = LoginForm(request, data={"username": payload.username, "password": payload.password})
    if not form.is_valid():
        if form.address_refused():
            raise HttpError(429, str(form.too_many_error().messages[0]))
        raise HttpError(401, str(form.error_messages["invalid_login"]))
    user = form.get_user()
    verified_by, problem = second_factor.otp_for_token(user=user, otp=payload.otp)
    if problem:
        body = {"detail": problem, "errors": [{"field": "otp", "message": problem}], "otp_required": True}
        return Status(401, body)
    token, raw = services.token_issue(
        actor=user, user=user, name=payload.name or "API", second_factor=verified_by
    )
    return Status(201, {"token": raw, "expires_at": token.expires_at})


@router.delete("/auth/token", response={204: None})
def token_revoke(request: HttpRequest) -> Status[None]:
    """Revoke the token this request was made with."""
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    token = ApiToken.objects.get(key_hash=hash_token(raw))
    services.token_revoke(actor=request.user, token=token)
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user and their memberships."""
    user = selectors.signed_in_user(request)
    memberships = user.memberships.filter(active=True).select_related("agency").prefetch_related("areas")
    return {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "language": user.language,
        "memberships": list(memberships),
    }


@router.get("/agencies", response=list[AgencyOut])
@paginate(PageNumberPagination)
def agency_list(request: HttpRequest) -> Any:
    """Active agencies (names are not confidential; referrals need them)."""
    return selectors.agency_list()


@router.get("/members", response=list[MemberOut])
@paginate(PageNumberPagination)
def member_list(request: HttpRequest, q: str = "", role: str = "") -> Any:
    """Members of the agencies I administer; an empty list for everyone else."""
    return selectors.member_list(viewer=request.user, query=q, role=role)


@router.get("/members/{member_id}", response=MemberOut)
def member_get(request: HttpRequest, member_id: int) -> Membership:
    """One member of an agency I administer; 404 otherwise."""
    return selectors.get_membership_for_user(request.user, member_id, "change")
