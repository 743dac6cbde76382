"""`safepassage users create|unlock|agency`: manage agencies and people from the server's shell."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.accounts import services
from safepassage.accounts.models import Agency, User
from safepassage.accounts.profiles import ReceivingProfile
from safepassage.core.roles import Role


class Command(BaseCommand):
    help = "Add agencies and people, and let people sign in after wrong passwords, from the command line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        agency = sub.add_parser("agency", help="add an agency")
        agency.add_argument("code")
        agency.add_argument("name")
        agency.add_argument("--kind", choices=Agency.Kind.values, required=True)
        agency.add_argument("--country", required=True, help="two letters, e.g. TH")
        agency.add_argument(
            "--profile",
            choices=ReceivingProfile.values,
            default=None,
            help="what it reads of a case referred to it (default: one that fits its kind; docs/roles.md)",
        )
        create = sub.add_parser("create", help="add a person to an agency; prints their first password")
        create.add_argument("username")
        create.add_argument("--agency", required=True, help="agency code")
        create.add_argument("--role", choices=Role.values, required=True)
        create.add_argument("--areas", default="", help="area codes, comma-separated (volunteers need one)")
        create.add_argument("--superuser", action="store_true", help="also a system administrator")
        unlock = sub.add_parser("unlock", help="let a person sign in at once after wrong passwords")
        unlock.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['subcommand']}")(options)
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {', '.join(v)}" for k, v in error.message_dict.items())
            ) from None

    def _agency(self, options: dict[str, Any]) -> None:
        agency = services.agency_create(
            actor=None,
            code=options["code"],
            name=options["name"],
            kind=options["kind"],
            profile=options.get("profile"),
            country=options["country"],
        )
        self.stdout.write(f"added agency {agency.code}: {agency.name}")

    def _create(self, options: dict[str, Any]) -> None:
        try:
            agency = Agency.objects.get(code=options["agency"])
        except Agency.DoesNotExist:
            raise CommandError(f"--agency: no agency with code {options['agency']!r}") from None
        codes = [c.strip() for c in options["areas"].split(",") if c.strip()]
        areas = list(apps.get_model("geo", "Area").objects.filter(code__in=codes))
        missing = sorted(set(codes) - {a.code for a in areas})
        if missing:
            raise CommandError(f"--areas: unknown area codes {', '.join(missing)}")
        user, password = services.user_create(
            actor=None, agency=agency, username=options["username"], role=options["role"], areas=areas
        )
        if options["superuser"]:
            User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
        self.stderr.write(f"added {user.username} to {agency.code} as {options['role']}; first password:")
        self.stdout.write(password)

    def _unlock(self, options: dict[str, Any]) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"no user called {options['username']!r}") from None
        membership = user.memberships.select_related("agency").first()
        if membership is None:
            raise CommandError(f"{user.username} belongs to no agency")
        services.user_unlock(actor=None, user=user, agency=membership.agency)
        self.stdout.write(f"unlocked {user.username}")
