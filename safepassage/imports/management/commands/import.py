"""`safepassage import KIND FILE`: check a partner's file and apply it, with a progress bar; nothing is
applied when a row has a problem unless --apply-valid says to apply the valid rows only."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safepassage.accounts.models import Agency
from safepassage.imports import services
from safepassage.imports.kinds import KINDS
from safepassage.imports.models import ImportJob, MappingProfile


class Command(BaseCommand):
    help = "Import people, assessments (also ODK/KoboToolbox submissions) or workplaces from CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="the coordinator or administrator importing")
        parser.add_argument("--agency", help="the agency's code, when the user coordinates for several")
        parser.add_argument("--mapping", help="a saved column mapping's name")
        parser.add_argument("--source", default="", help="the agency the file comes from")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="a value for every row, for a field the file has no column for (e.g. village_code=50010101)",
        )
        parser.add_argument(
            "--apply-valid", action="store_true", help="apply the valid rows even if others fail"
        )
        parser.add_argument("--check-only", action="store_true", help="check and report; write nothing")
        parser.add_argument(
            "--not-same",
            action="append",
            type=int,
            default=[],
            metavar="ROW",
            help="a row reported as probably a registered person that is someone else (add it as new)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {options['user']}.")
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"There is no agency with the code {options['agency']}.")
        defaults = {}
        for pair in options["set"]:
            field, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"--set takes FIELD=VALUE, not {pair}.")
            defaults[field.strip()] = value.strip()
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        try:
            owner = services.importing_agency(user, agency)
            profile = None
            if options["mapping"]:
                profile = MappingProfile.objects.filter(
                    agency=owner, kind=options["kind"], name=options["mapping"]
                ).first()
                if profile is None:
                    raise CommandError(
                        f"{owner.code} has no {options['kind']} mapping called {options['mapping']}."
                    )
            with path.open("rb") as content:
                job = services.job_create(
                    actor=user,
                    kind=options["kind"],
                    file_name=path.name,
                    content=content,
                    agency=owner,
                    source=options["source"],
                    profile=profile,
                    defaults=defaults,
                )
        except PermissionDenied:
            raise CommandError(f"{user} does not coordinate imports for that agency.") from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if job.status == ImportJob.Status.REFUSED:
            raise CommandError(job.message)
        if options["not_same"]:
            job.confirmed_new = sorted(set(options["not_same"]))
            job.save(update_fields=["confirmed_new"])
        started = time.monotonic()
        job = services.job_check(job, on_progress=self._bar("checking", services.estimated_rows(job)))
        self._end_bar()
        self.stdout.write(
            f"checked {job.rows_total} rows in {time.monotonic() - started:.1f} s: "
            f"{job.rows_valid} valid, {job.rows_invalid} with problems ({job.errors_total} problems)"
        )
        for problem in job.problems.all()[:20]:
            self.stdout.write(f"  {problem}")
        if job.errors_total > 20:
            self.stdout.write(f"  … and {job.errors_total - 20} more: see /imports/{job.pk}/ for them all")
        if job.status == ImportJob.Status.REFUSED:
            raise CommandError(job.message)
        if options["check_only"]:
            return
        if job.errors_total and not options["apply_valid"]:
            raise CommandError(
                "Nothing was applied. Correct the file, or use --apply-valid for the valid rows only."
            )
        started = time.monotonic()
        try:
            job = services.job_apply(
                actor=user,
                job=job,
                valid_only=options["apply_valid"],
                on_progress=self._bar("applying", job.rows_total),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self._end_bar()
        if job.status != ImportJob.Status.APPLIED:
            raise CommandError(job.message)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"import {job.pk}: {job.created} records created in {seconds:.1f} s "
                f"({job.created / max(seconds, 1e-6):,.0f} rows/s); {job.skipped} rows skipped"
            )
        )
        summary = job.summary or {}
        if "assessments" in summary:
            held = summary.get("assessments_held", 0)
            self.stdout.write(f"{summary['assessments']} assessments recorded, {held} held back")
        if job.kind == "people":
            self.stdout.write(f"row → person number: /imports/{job.pk}/people.csv")

    def _bar(self, label: str, total: int) -> Any:
        """A progress bar on a terminal (nothing when the output goes to a file or a pipe)."""
        interactive = sys.stdout.isatty()

        def show(done: int) -> None:
            if not interactive:
                return
            if total:
                share = min(done / total, 1.0)
                bar = "#" * int(share * 30)
                line = f"\r{label} [{bar:<30}] {share:4.0%} {done:,}/{total:,} rows"
            else:
                line = f"\r{label}: {done:,} rows"
            self.stdout.write(line, ending="")
            self.stdout.flush()

        return show

    def _end_bar(self) -> None:
        if sys.stdout.isatty():
            self.stdout.write("")
