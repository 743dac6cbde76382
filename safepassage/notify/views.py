"""Pages: my notifications (the bell's list) and my notification choices; LINE's webhook."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from safepassage.accounts.selectors import signed_in_user
from safepassage.notify import selectors, services
from safepassage.notify.models import Channel


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first, with how each went out."""
    user = signed_in_user(request)
    page = Paginator(selectors.notification_list(viewer=user), 30).get_page(request.GET.get("page"))
    return render(request, "notify/list.html", {"page": page, "channels": Channel})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (or all) read, then go to its page or back to the list."""
    user = signed_in_user(request)
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    services.notifications_mark_read(actor=user, ids=ids)
    link = request.POST.get("next", "")
    if ids and link.startswith("/") and not link.startswith("//"):
        return redirect(link)
    return redirect("notify:list")


def _time(raw: str, field: str) -> time | None:
    if not raw.strip():
        return None
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError({field: [_("Give a time like 21:00.")]}) from None


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """My notifications: channels, addresses, quiet hours, summary time and linking LINE."""
    user = signed_in_user(request)
    preference = services.preference_for(user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "line_code":
                services.line_link_start(actor=user)
                messages.success(request, _("Send this code to our LINE account."))
            elif action == "line_unlink":
                services.line_unlink(actor=user)
                messages.success(request, _("Your LINE is no longer linked."))
            else:
                post = request.POST
                services.preference_update(
                    actor=user,
                    by_email=post.get("by_email") == "on",
                    by_sms=post.get("by_sms") == "on",
                    by_line=post.get("by_line") == "on",
                    email=post.get("email", ""),
                    phone=post.get("phone", ""),
                    quiet_from=_time(post.get("quiet_from", ""), "quiet_from"),
                    quiet_to=_time(post.get("quiet_to", ""), "quiet_to"),
                    digest_at=_time(post.get("digest_at", ""), "digest_at"),
                )
                messages.success(request, _("Saved."))
            return redirect("notify:preferences")
        except ValidationError as error:
            errors = error.message_dict
    return render(
        request,
        "notify/preferences.html",
        {
            "preference": preference,
            "errors": errors,
            "form": request.POST if errors else None,
            "add_friend_url": settings.LINE_ADD_FRIEND_URL,
        },
        status=400 if errors else 200,
    )


@csrf_exempt
@require_POST
def line_webhook(request: HttpRequest) -> HttpResponse:
    """LINE calls this (signed with the channel secret): a follower's message with a link code links them."""
    body = request.body
    if not services.line_signature_ok(body, request.headers.get("X-Line-Signature", "")):
        return JsonResponse({"detail": _("The signature does not match.")}, status=401)
    try:
        linked = services.line_events_receive(body=body)
    except ValidationError as error:
        return JsonResponse({"detail": error.messages[0]}, status=400)
    return JsonResponse({"linked": linked})
