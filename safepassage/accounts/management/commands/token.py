"""`safepassage token create --user U` / `token revoke PREFIX` / `token list --user U`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.accounts import services
from safepassage.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="issue a token and print it once")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="command line")
        create.add_argument("--days", type=int, help="how long it works (default API_TOKEN_DAYS)")
        listing = sub.add_parser("list", help="a user's tokens (never the tokens themselves)")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="revoke a token by the start shown in `list`")
        revoke.add_argument("prefix")

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"--user: no user called {username!r}") from None

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "create":
            user = self._user(options["user"])
            if options["days"] is not None and options["days"] < 1:
                raise CommandError("--days: must be at least 1")
            token, raw = services.token_issue(
                actor=None, user=user, name=options["name"], days=options["days"]
            )
            self.stderr.write(
                f"Token for {user.username}, valid until {token.expires_at:%Y-%m-%d %H:%M %Z} "
                "(issued by the server's operator without a second factor; recorded in the audit trail):"
            )
            self.stdout.write(raw)
        elif command == "list":
            user = self._user(options["user"])
            for token in ApiToken.objects.filter(user=user):
                state = "revoked" if token.revoked_at else ("valid" if token.is_valid() else "expired")
                self.stdout.write(
                    f"{token.prefix}  {state:<8} {token.expires_at:%Y-%m-%d}  "
                    f"{token.second_factor or 'password only':<15}  {token.name}"
                )
        else:
            matches = list(ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True))
            if len(matches) != 1:
                raise CommandError(
                    f"{options['prefix']}: {len(matches)} active tokens start with this; expected 1"
                )
            services.token_revoke(actor=None, token=matches[0])
            self.stdout.write(f"revoked {options['prefix']}")
