"""Sign-in limits that slow a password guesser without letting a stranger lock staff out.

Per account *and* client address, a growing delay: the first LOGIN_FREE_FAILURES wrong passwords cost
nothing, then each next try waits twice as long as the last, up to LOGIN_DELAY_MAX_SECONDS. The owner
signing in from another address (another office, another phone) is not slowed by a stranger's guesses.
Per client address, over all accounts, a generous limit (district offices share one address, volunteers
share phones): past LOGIN_ADDRESS_LIMIT wrong passwords in LOGIN_ADDRESS_MINUTES the address gets 429.
Only wrong passwords count; a right one clears that account's delay from that address.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.db.models import Count, Max
from django.utils import timezone

from safepassage.accounts.models import SignInFailure

MEMORY = timedelta(days=1)  # wrong passwords older than this are forgotten
_dummy_hashes: dict[str, str] = {}


def account_key(username: str) -> str:
    """The account name as stored with a failure: a hash, never the text typed."""
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()


def delay_after(failures: int) -> timedelta:
    """How long to wait after `failures` wrong passwords in a row (pure: no database)."""
    extra = failures - settings.LOGIN_FREE_FAILURES
    if extra <= 0:
        return timedelta(0)
    seconds = settings.LOGIN_DELAY_SECONDS * 2 ** min(extra - 1, 30)
    return timedelta(seconds=min(seconds, settings.LOGIN_DELAY_MAX_SECONDS))


def waiting(key: str, address: str, *, now: datetime | None = None) -> bool:
    """True while this account may not be tried from this address."""
    now = now or timezone.now()
    recent = SignInFailure.objects.filter(account_key=key, address=address, at__gte=now - MEMORY).aggregate(
        count=Count("id"), last=Max("at")
    )
    if not recent["count"]:
        return False
    return bool(now < recent["last"] + delay_after(recent["count"]))


def address_blocked(address: str, *, now: datetime | None = None) -> bool:
    """True when this address has sent too many wrong passwords lately, whatever the accounts."""
    if not address:
        return False
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.LOGIN_ADDRESS_MINUTES)
    failures = SignInFailure.objects.filter(address=address, at__gte=since).count()
    return failures >= settings.LOGIN_ADDRESS_LIMIT


def failure_record(key: str, address: str, *, now: datetime | None = None) -> None:
    """Remember one wrong password, and forget those older than a day."""
    now = now or timezone.now()
    SignInFailure.objects.filter(at__lt=now - MEMORY).delete()
    SignInFailure.objects.create(account_key=key, address=address, at=now)


def failures_clear(key: str, address: str | None = None) -> None:
    """Forget the wrong passwords for an account: from one address (a right password), or all of them."""
    failures = SignInFailure.objects.filter(account_key=key)
    if address is not None:
        failures = failures.filter(address=address)
    failures.delete()


def check_dummy(password: str) -> None:
    """Spend the time a real password check takes, for an account that does not exist."""
    algorithm = str(get_hasher().algorithm)
    if algorithm not in _dummy_hashes:
        _dummy_hashes[algorithm] = make_password("not a password: only here to take the same time")
    check_password(password, _dummy_hashes[algorithm])
