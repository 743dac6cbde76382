"""What can be imported and how each row is read, checked and written.

Every kind reads a row into clean values (pure: no database), checks a batch of rows against the database in
a few queries, and writes a batch. People and assessments, which come by the hundred thousand, are written in
bulk with one audit event per import; workplaces and responders go through their app's service row by row, so
every rule of that app applies unchanged."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.cases import htcds, htcds_lists
from safepassage.core import dates
from safepassage.core.crypto import blind_index
from safepassage.core.roles import Action
from safepassage.core.validation import formula_like
from safepassage.geo.models import Area, Level
from safepassage.imports import known, scores
from safepassage.imports import values as v
from safepassage.imports.codes import (
    htcds_choice,
    htcds_choices,
    parse_consent,
    parse_htcds_gender,
    parse_languages,
    parse_list,
    parse_sex,
)
from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.models import Catalogue, Person
from safepassage.registry.selectors import active_catalogue_or_none
from safepassage.registry.services import agency_for_record, clean_person_fields

_READ = object()  # (a column read from each row's cell)


@dataclass(frozen=True)
class Column:
    """A field an import fills, the column titles it is found under, and how its cells are read."""

    name: str
    label: str | Promise
    required: bool = False
    aliases: tuple[str, ...] = ()
    parse: Callable[[Any], Any] = v.clean_text
    text: bool = True  # free text: checked for formulas and Zawgyi


@dataclass
class Row:
    """One data row: its number as a spreadsheet shows it, the cells, the values read, the problems."""

    number: int
    cells: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)  # why the row's assessment is held back
    prepared: Any = None  # what a kind's check made of the row, for its write
    match: int | None = None  # the registered person this row probably is (imports.matching)

    def problem(self, column: str, reason: str) -> None:
        self.problems.append((column, reason))


@dataclass
class Context:
    """What a run knows besides the rows: who imports for which agency, and caches shared by batches."""

    actor: Any
    agency: Any
    job_id: int | None = None
    catalogue: Catalogue | None = None
    villages: dict[str, Area | None] = field(default_factory=dict)
    keys: set[int] = field(default_factory=set)  # duplicates within the file
    indicator_columns: dict[str, str] = field(default_factory=dict)  # code → column title
    specs: list[Any] = field(default_factory=list)
    defaults: dict[str, Any] = field(default_factory=dict)  # field → value for every row (not in the file)
    seen: dict[int, int] = field(default_factory=dict)  # a row's key or ID → the first row that had it
    confirmed_new: set[int] = field(default_factory=set)  # rows the user says are not a registered person
    today: date = field(default_factory=timezone.localdate)
    score_cells: list[tuple[str, str, dict[Any, int]]] = field(default_factory=list)  # see scores.prepare
    read_plans: dict[Any, Any] = field(default_factory=dict)  # see Kind._read_plan
    village_refusals: dict[int, ValidationError | None] = field(default_factory=dict)  # see People.refused_in


class Kind:
    """The base: reads the mapped columns of a row; subclasses add their checks and writing."""

    name = ""
    label: str | Promise = ""
    object_type = ""
    columns: tuple[Column, ...] = ()
    bulk = False  # True: writes in batches with one audit event; False: one service call per row
    takes_indicators = False  # True: columns named after an indicator hold scores, never another field

    def mapping_for(self, headers: Sequence[str], chosen: dict[str, str]) -> dict[str, str]:
        """field → column title: what the user chose, else the column whose title is one the field is known
        by in any language (data/known.json; spaces, brackets, case and ODK/KoboToolbox group prefixes
        ignored). A column named after an indicator is never taken for another field."""
        indicators: frozenset[str] = frozenset()
        catalogue = active_catalogue_or_none() if self.takes_indicators else None
        if catalogue is not None:  # (with no catalogue active, a people file holds people only)
            indicators = frozenset(indicator_key(s.code) for s in catalogue.specs("IH"))
        columns = [(c.name, c.aliases) for c in self.columns]
        return known.match(self.name, columns, headers, chosen, indicators)

    def prepare(self, headers: Sequence[str], ctx: Context) -> None:
        """Before the first row is read: anything found once from the headers (indicator columns)."""

    def column_title(self, name: str, mapping: dict[str, str]) -> str:
        """What a problem names: the file's own column for a field read from it, the field's label for one
        given the same for every row (or missing), anything else (a column title, "") as it is."""
        if name in mapping:
            return mapping[name]
        for column in self.columns:
            if column.name == name:
                return str(column.label)
        return name

    def file_problems(
        self, headers: Sequence[str], mapping: dict[str, str], ctx: Context
    ) -> list[tuple[str, str]]:
        """Problems with the columns themselves (a required one missing…), found before any row is read."""
        return [
            (str(c.label), _("This column is required and the file has no column for it."))
            for c in self.columns
            if c.required and c.name not in mapping and not ctx.defaults.get(c.name)
        ]

    def _read_plan(self, mapping: dict[str, str], ctx: Context) -> list[tuple[Column, str | None, Any]]:
        """For each column: its header in the file, and for a column neither in the file nor given for every
        row, its value (what reading an empty cell gives, worked out once rather than on every row)."""
        key = (self.name, tuple(mapping.items()), tuple(sorted(ctx.defaults)))
        plan = ctx.read_plans.get(key)
        if plan is None:
            plan = []
            for column in self.columns:
                header = mapping.get(column.name)
                fixed: Any = _READ
                if not header and ctx.defaults.get(column.name) is None and not column.required:
                    try:
                        fixed = column.parse(None)
                    except v.ValueProblem:
                        fixed = _READ  # (reported on each row, as before)
                    if not isinstance(fixed, str | int | type(None)):
                        fixed = _READ  # (a list or dict: each row gets its own)
                plan.append((column, header, fixed))
            ctx.read_plans[key] = plan
        return plan

    def read(self, row: Row, mapping: dict[str, str], ctx: Context) -> None:
        """Fill row.values from the mapped cells, recording a problem per cell that cannot be read."""
        for column, header, fixed in self._read_plan(mapping, ctx):
            if fixed is not _READ:
                row.values[column.name] = fixed
                continue
            raw = row.cells.get(header) if header else ctx.defaults.get(column.name)
            if column.text and formula_like(raw):
                row.problem(column.name, v.formula_reason())
                continue
            try:
                value = column.parse(raw)
            except v.ValueProblem as problem:
                row.problem(column.name, str(problem))
                continue
            if column.text and isinstance(value, str) and value:
                value, done = v.burmese_to_unicode(value)
                if done == "converted":
                    row.flags.append("zawgyi_converted")
                elif done == "unsure":
                    row.flags.append("zawgyi_unsure")
            if column.required and value in (None, ""):
                row.problem(column.name, _("This value is required."))
                continue
            row.values[column.name] = value

    def skips(self, cells: dict[str, Any]) -> bool:
        """A row of the file that holds no record (a second header row a template adds)."""
        return False

    def check(self, rows: list[Row], ctx: Context) -> None:
        """Checks against the database for a batch of rows already read; adds problems to rows."""

    def write(self, rows: list[Row], ctx: Context) -> list[tuple[int, int]]:
        """Write valid rows; returns (row number, id of the record made) for provenance."""
        raise NotImplementedError

    def finish(self, ctx: Context) -> dict[str, Any]:
        """After the last batch of an apply: anything to do once, and what to report."""
        return {}

    # Shared helpers ----------------------------------------------------------------------------------
    def prefetch_villages(self, codes: list[str], ctx: Context) -> None:
        """The villages of a batch's codes, in one query, for village() to find."""
        wanted = {c for c in codes if c and c not in ctx.villages}
        if wanted:
            found = {a.code: a for a in Area.objects.filter(code__in=wanted, level=Level.VILLAGE)}
            for code in wanted:
                ctx.villages[code] = found.get(code)

    def village(self, code: str, ctx: Context) -> Area | None:
        if code not in ctx.villages:
            ctx.villages[code] = Area.objects.filter(code=code, level=Level.VILLAGE).first()
        return ctx.villages[code]


def _errors_to_row(row: Row, error: ValidationError, mapping: dict[str, str]) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            for message in messages:
                row.problem(mapping.get(name, name), message)
    else:
        for message in error.messages:
            row.problem("", message)


class People(Kind):
    """People for the registry (a volunteer's child list, another agency's register)."""

    name = "people"
    label = _lazy("People")
    object_type = "registry.person"
    bulk = True
    takes_indicators = True  # a list of people with their scores: each person's first assessment
    # The titles each field is known by, in every language, are in data/known.json.
    columns = (
        # Required, or a full name (checked in file_problems and read).
        Column("given_name", _lazy("Given name")),
        Column("family_name", _lazy("Family name")),
        Column("given_name_latin", _lazy("Given name in Latin letters")),
        Column("family_name_latin", _lazy("Family name in Latin letters")),
        Column("full_name", _lazy("Full name")),
        Column("full_name_latin", _lazy("Full name in Latin letters")),
        Column("sex", _lazy("Sex"), parse=parse_sex, text=False),
        Column("birth_date", _lazy("Date of birth"), parse=v.parse_birth_date, text=False),
        Column("birth_year", _lazy("Year of birth"), parse=dates.parse_year, text=False),
        Column("village_code", _lazy("Village code"), required=True),
        Column("national_id", _lazy("National ID number")),
        Column("father_name", _lazy("Father's name")),
        Column("mother_name", _lazy("Mother's name")),
        Column("languages", _lazy("Languages spoken"), parse=parse_languages, text=False),
        Column("notes", _lazy("Welfare notes")),
        Column("assessed_on", _lazy("Date of assessment"), parse=dates.parse_date, text=False),
    )

    def file_problems(
        self, headers: Sequence[str], mapping: dict[str, str], ctx: Context
    ) -> list[tuple[str, str]]:
        problems = super().file_problems(headers, mapping, ctx)
        if not {"given_name", "full_name"} & (set(mapping) | set(ctx.defaults)):
            problems.append(
                (str(_("Given name")), _("This column is required and the file has no column for it."))
            )
        return problems

    def prepare(self, headers: Sequence[str], ctx: Context) -> None:
        # Scores in the file are read with the active catalogue; with none active, the people land alone.
        if ctx.catalogue is not None or active_catalogue_or_none() is not None:
            scores.prepare(headers, ctx)

    def read(self, row: Row, mapping: dict[str, str], ctx: Context) -> None:
        super().read(row, mapping, ctx)
        scores.split_names(row, mapping)
        column = mapping.get("given_name") or mapping.get("full_name") or "given_name"
        if not row.values.get("given_name") and not any(c == column for c, _r in row.problems):
            row.problem(column, _("This value is required."))
        born = row.values.get("birth_date")
        if isinstance(born, v.BirthYear):  # a year alone: an estimated year of birth
            row.values["birth_date"] = None
            this_year = timezone.localdate().year
            if not this_year - 120 <= born <= this_year:
                row.problem(
                    "birth_date",
                    _("The year of birth must be between %(low)d and %(high)d.")
                    % {"low": this_year - 120, "high": this_year},
                )
            elif row.values.get("birth_year") in (None, int(born)):
                row.values["birth_year"] = int(born)
                row.values["birth_year_estimated"] = True
        scores.read_held(row, mapping, ctx)

    def check(self, rows: list[Row], ctx: Context) -> None:
        """Every problem of a row at once: the village, the person's own rules, a repeat of an earlier row
        or ID of the file, someone of the agency with this ID, someone registered who is probably the same."""
        from safepassage.imports.matching import probable_matches

        ids: dict[str, Row] = {}
        self.prefetch_villages([row.values.get("village_code") or "" for row in rows], ctx)
        for row in rows:
            values = row.values
            reported = {column for column, _reason in row.problems}
            code = values.get("village_code")
            village = self.village(code, ctx) if code else None
            if code and village is None:
                row.problem("village_code", _("There is no village with the code %(code)s.") % {"code": code})
            elif village is not None:
                refused = self.refused_in(village, ctx)
                if refused is not None:
                    _errors_to_row(row, refused, {})
            fields = {
                k: x
                for k, x in values.items()
                if k != "village_code" and k not in reported and x not in (None, "")
            }
            if "given_name" not in reported:
                fields.setdefault("given_name", values.get("given_name", ""))
            try:
                values.update(clean_person_fields(fields))
            except ValidationError as error:
                _errors_to_row(row, error, {})
            if row.problems:
                continue
            key = hash(
                (
                    "p",
                    values.get("national_id") or "",
                    values["given_name"],
                    values.get("family_name", ""),
                    values.get("birth_date"),
                    values.get("birth_year"),
                    values["village_code"],
                )
            )
            if key in ctx.seen:
                row.problem("", _("This row repeats row %(row)d of the file.") % {"row": ctx.seen[key]})
                continue
            ctx.seen[key] = row.number
            number = values.get("national_id")
            if number:
                id_key = hash(("id", number))
                if id_key in ctx.seen:
                    row.problem(
                        "national_id",
                        _("This ID number repeats the ID of row %(row)d.") % {"row": ctx.seen[id_key]},
                    )
                    continue
                ctx.seen[id_key] = row.number
                ids[blind_index(number)] = row
        if ids:
            # by the numbers' blind index: the numbers themselves are sealed (core.crypto)
            taken = dict(
                Person.objects.filter(agency=ctx.agency, national_id_index__in=list(ids)).values_list(
                    "national_id_index", "pk"
                )
            )
            for index, pk in taken.items():
                ids[index].problem(
                    "national_id",
                    _("Someone with this ID number is already registered (person %(pk)d).") % {"pk": pk},
                )
        probable_matches([r for r in rows if not r.problems], ctx)

    def refused_in(self, village: Area, ctx: Context) -> ValidationError | None:
        """Why the importer may not add people in this village (None: they may), asked once per village."""
        if village.pk not in ctx.village_refusals:
            try:
                agency_for_record(ctx.actor, village, ctx.agency)
                ctx.village_refusals[village.pk] = None
            except ValidationError as error:
                ctx.village_refusals[village.pk] = error
        return ctx.village_refusals[village.pk]

    def write(self, rows: list[Row], ctx: Context) -> list[tuple[int, int]]:
        self.prefetch_villages([row.values["village_code"] for row in rows], ctx)
        made = []
        common = {"agency_id": ctx.agency.pk, "created_by_id": getattr(ctx.actor, "pk", None)}
        for row in rows:
            values = {
                k: x for k, x in row.values.items() if k not in scores.NOT_PERSON and x not in (None, "")
            }
            village = self.village(values.pop("village_code"), ctx)
            made.append({**common, "village_id": village.pk if village else None, **values})
        # Names are romanised after the import (registry.names.fill_pending): at about 0.3 ms a name, the
        # romaniser would take longer than everything else an import does.
        ids = Person.objects.copy_create(made, romanise=False)
        return [(row.number, pk) for row, pk in zip(rows, ids, strict=True)]

    def write_all(
        self,
        batches: Iterator[list[Row]],
        ctx: Context,
        source: str,
        on_created: Callable[..., None],
    ) -> dict[str, Any]:
        """The people, and with scores in the file each one's first assessment through the risk index's
        bulk path (same scoring and early warning)."""
        return scores.write_people(self, batches, ctx, source, on_created)


# Columns an ODK Central or KoboToolbox export adds that are not answers.
FORM_META = {
    "start",
    "end",
    "today",
    "deviceid",
    "phonenumber",
    "username",
    "email",
    "audit",
    "instanceid",
    "instancename",
    "key",
    "submitterid",
    "submittername",
    "attachmentsexpected",
    "attachmentspresent",
    "status",
    "reviewstate",
    "edits",
    "formversion",
    "submissiondate",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
    "_version_",
    "_xform_id_string",
    "_attachments",
    "_geolocation",
    "meta",
    "version",
}
CODE_LIKE = re.compile(r"^[A-Z]{2,5}[-_][A-Z0-9]{2,}$", re.IGNORECASE)


def indicator_key(code: str) -> str:
    """An indicator code as a form field name: HLT-ILL → hlt_ill (XLSForm names take no dashes well)."""
    return code.replace("-", "_").casefold()


class Assessments(Kind):
    """Assessments of people: survey rounds, another agency's scores, ODK/KoboToolbox submissions of the form
    `safepassage forms xlsform` writes. One column per indicator, named by its code (HLT-ILL or hlt_ill, with
    or without a group prefix); a cell is 1, 2 or 3, or empty (or "na") when not answered."""

    name = "assessments"
    label = _lazy("Assessments of people")
    object_type = "registry.assessment"
    bulk = True
    takes_indicators = True
    columns = (
        Column("person_id", _lazy("Person number"), aliases=("person",), parse=v.parse_int, text=False),
        Column("national_id", _lazy("National ID number"), aliases=("id_number",)),
        Column(
            "assessed_on",
            _lazy("Date of assessment"),
            required=True,
            aliases=("date", "assessment_date"),
            parse=dates.parse_date,
            text=False,
        ),
    )

    def indicator_columns(self, headers: Sequence[str], ctx: Context) -> dict[str, str]:
        """indicator code → column title, for the active catalogue's person indicators."""
        return scores.indicator_columns(headers, ctx)

    def file_problems(
        self, headers: Sequence[str], mapping: dict[str, str], ctx: Context
    ) -> list[tuple[str, str]]:
        from safepassage.imports.reading import header_key, header_keys

        problems = super().file_problems(headers, mapping, ctx)
        if "person_id" not in mapping and "national_id" not in mapping:
            problems.append(
                (str(_("Person number")), _("The file needs a column with the person's number or ID number."))
            )
        found = self.indicator_columns(headers, ctx)
        if not found:
            problems.append(
                ("", _("No column is named after an indicator of the active catalogue (such as HLT-ILL)."))
            )
        used = set(found.values()) | set(mapping.values())
        for header in headers:
            keys = header_keys(header)
            if header in used or any(k in FORM_META or k.startswith("_") for k in keys):
                continue
            if CODE_LIKE.match(header_key(header)):
                problems.append(
                    (header, _("%(code)s is not an indicator of the active catalogue.") % {"code": header})
                )
        return problems

    def read(self, row: Row, mapping: dict[str, str], ctx: Context) -> None:
        super().read(row, mapping, ctx)
        row.values["scores"], problems = scores.read_scores(row, ctx)
        for column, reason in problems:
            row.problem(column, reason)
        assessed_on = row.values.get("assessed_on")
        if assessed_on and assessed_on > ctx.today:
            row.problem(
                mapping.get("assessed_on", "assessed_on"),
                _("The date of the assessment cannot be in the future."),
            )
        if not row.values.get("person_id") and not row.values.get("national_id"):
            row.problem(
                "person_id" if "person_id" in mapping or "national_id" not in mapping else "national_id",
                _("Say whose assessment this is: the person's number or ID number."),
            )

    def prepare(self, headers: Sequence[str], ctx: Context) -> None:
        scores.prepare(headers, ctx)

    def check(self, rows: list[Row], ctx: Context) -> None:
        # Whose assessment it is is checked on every row whose person cells could be read, so a row's
        # unknown person is reported with its other problems.
        ok = [
            r
            for r in rows
            if (r.values.get("person_id") or r.values.get("national_id"))
            and not {c for c, _reason in r.problems} & {"person_id", "national_id"}
        ]
        pks = {r.values["person_id"] for r in ok if r.values.get("person_id")}
        numbers = {
            blind_index(r.values["national_id"])
            for r in ok
            if r.values.get("national_id") and not r.values.get("person_id")
        }
        mine = Person.objects.visible_to(ctx.actor, Action.CHANGE)
        if ctx.agency is not None:
            mine = mine.filter(agency=ctx.agency)
        by_pk = (
            {pk: (pk, born) for pk, born in mine.filter(pk__in=pks).values_list("pk", "birth_date")}
            if pks
            else {}
        )
        by_number: dict[str, tuple[int, date | None]] = {}
        if numbers:
            for pk, index, born in mine.filter(national_id_index__in=numbers).values_list(
                "pk", "national_id_index", "birth_date"
            ):
                by_number[index] = (pk, born)
        for row in ok:
            values = row.values
            found = (
                by_pk.get(values["person_id"])
                if values.get("person_id")
                else by_number.get(blind_index(values["national_id"]))
            )
            if found is None:
                column = "person_id" if values.get("person_id") else "national_id"
                row.problem(column, _("There is no such person of yours in the registry."))
                continue
            values["person"], born = found
            assessed_on = values.get("assessed_on")
            if born and assessed_on and assessed_on < born:
                row.problem("assessed_on", _("The assessment date is before the person was born."))
                continue
            if row.problems:
                continue
            key = hash(("a", values["person"], values["assessed_on"]))
            if key in ctx.seen:
                row.problem(
                    "",
                    _("This row repeats row %(row)d of the file (the same person on the same date).")
                    % {"row": ctx.seen[key]},
                )
                continue
            ctx.seen[key] = row.number

    def write(self, rows: list[Row], ctx: Context) -> list[tuple[int, int]]:
        raise NotImplementedError  # assessments are written by write_all, in date order per person

    def write_all(
        self,
        batches: Iterator[list[Row]],
        ctx: Context,
        source: str,
        on_created: Callable[[list[tuple[int, int]]], None],
    ) -> dict[str, Any]:
        """Record every valid row through the risk index's bulk path (same scoring and early warning)."""
        items = (
            BulkItem(
                person_id=row.values["person"],
                assessed_on=row.values["assessed_on"],
                scores=row.values["scores"],
                source=source,
                ref=row.number,
            )
            for batch in batches
            for row in sorted(batch, key=lambda r: r.values["assessed_on"])
        )
        result = assessments_bulk_record(
            actor=ctx.actor,
            items=items,
            catalogue=ctx.catalogue,
            check=False,
            label=f"import {ctx.job_id}",
            on_created=on_created,
        )
        return {"created": result.created, "alerts": result.alerts, "duplicates": result.skipped_duplicates}


class Workplaces(Kind):
    """Workplaces for the sin-space map, through the workplaces app's own service."""

    name = "workplaces"
    label = _lazy("Workplaces")
    object_type = "workplaces.workplace"
    columns = (
        Column("name", _lazy("Name"), required=True, aliases=("workplace", "business_name")),
        Column("sector", _lazy("Kind of work"), required=True),
        Column("village_code", _lazy("Village code"), aliases=("village",)),
        Column("address", _lazy("Address")),
        Column("lat", _lazy("Latitude"), aliases=("latitude", "y"), parse=v.parse_float, text=False),
        Column("lon", _lazy("Longitude"), aliases=("longitude", "lng", "x"), parse=v.parse_float, text=False),
        Column("registration_number", _lazy("Registration number")),
    )

    def write(self, rows: list[Row], ctx: Context) -> list[tuple[int, int]]:
        from safepassage.workplaces.services import workplace_create

        made = []
        for row in rows:
            values = {k: x for k, x in row.values.items() if x not in (None, "")}
            made.append((row.number, workplace_create(actor=ctx.actor, agency=ctx.agency, **values).pk))
        return made


def _service_values(row: Row) -> dict[str, Any]:
    return {k: x for k, x in row.values.items() if x not in (None, "", [])}


class Households(Kind):
    """Households of a village (people are then imported with the household's number)."""

    name = "households"
    label = _lazy("Households")
    object_type = "registry.household"
    columns = (
        Column("village_code", _lazy("Village code"), required=True, aliases=("village",)),
        Column("label", _lazy("Household name or number"), aliases=("household", "name")),
    )

    def write(self, rows: list[Row], ctx: Context) -> list[tuple[int, int]]:
        from safepassage.registry.services import household_create

        return [
            (row.number, household_create(actor=ctx.actor, agency=ctx.agency, **_service_values(row)).pk)
            for row in rows
        ]


class Observations(Kind):
    """Evidence about workplaces (inspections, visits, tips), which rates each workplace again."""

    name = "observations"
    label = _lazy("Observations of workplaces")
    object_type = "workplaces.observation"
    columns = (
        Column(
            "workplace_id",
            _lazy("Workplace number"),
            required=True,
            aliases=("workplace",),
            parse=v.parse_int,
            text=False,
        ),
        Column(
            "observed_on", _lazy("Date"), required=True, aliases=("date",), parse=dates.parse_date, text=False
        ),
        Column("source", _lazy("Source"), required=True),
        Column("reliability", _lazy("Reliability (A to E)"), required=True),
        Column("indicators", _lazy("Forced-labour indicators seen"), parse=parse_list, text=False),
        Column("text", _lazy("What was seen"), aliases=("notes",)),
    )

    def write(self, rows: list[Row], ctx: Context) -> list[tuple[int, int]]:
        from safepassage.workplaces.models import Workplace
        from safepassage.workplaces.services import observation_record

        made = []
        for row in rows:
            values = _service_values(row)
            workplace = Workplace.objects.visible_to(ctx.actor).filter(pk=values.pop("workplace_id")).first()
            if workplace is None:
                raise ValidationError({"workplace_id": _("There is no such workplace you can see.")})
            values.setdefault("indicators", [])
            made.append((row.number, observation_record(actor=ctx.actor, workplace=workplace, **values).pk))
        return made


class Responders(Kind):
    """Responders for the network directory: who they are, how to reach them, what they cover."""

    name = "responders"
    label = _lazy("Responders")
    object_type = "network.responder"
    columns = (
        Column(
            "organisation_id",
            _lazy("Organisation number"),
            required=True,
            aliases=("organisation",),
            parse=v.parse_int,
            text=False,
        ),
        Column("name", _lazy("Name"), required=True),
        Column("role_type", _lazy("Role"), required=True, aliases=("role",)),
        Column("title", _lazy("Title")),
        Column("phone", _lazy("Phone"), text=False),
        Column("email", _lazy("Email")),
        Column("languages", _lazy("Languages spoken"), parse=parse_list, text=False),
        Column("expertise", _lazy("Expertise"), parse=parse_list, text=False),
        Column("area_codes", _lazy("Areas covered"), aliases=("areas",), parse=parse_list, text=False),
    )

    def write(self, rows: list[Row], ctx: Context) -> list[tuple[int, int]]:
        from safepassage.network.services import responder_create

        return [
            (row.number, responder_create(actor=ctx.actor, agency=ctx.agency, **_service_values(row)).pk)
            for row in rows
        ]


class Cases(Kind):
    """Victims' cases in IOM's Human Trafficking Case Data Standard (HTCDS 2.0): IOM's Excel template as
    partners fill it (drop-down labels, a label row, numbered empty rows), exports of IOM's XLSForm from
    KoboToolbox or ODK, or SafePassage's own columns. Each row opens a case for a new registry person,
    with its trafficking status and who decided it. Every problem of a row is reported at once."""

    name = "cases"
    label = _lazy("Cases (HTCDS 2.0)")
    object_type = "cases.case"
    bulk = True
    columns = (
        Column(
            "given_name",
            _lazy("Given name"),
            required=True,
            aliases=("prs_first_name", "prs_firstname", "first_name"),
        ),
        Column(
            "family_name", _lazy("Family name"), aliases=("prs_second_name", "prs_secondname", "second_name")
        ),
        Column(
            "birth_date",
            _lazy("Date of birth"),
            aliases=("prs_birthdate",),
            parse=dates.parse_date,
            text=False,
        ),
        Column("sex", _lazy("Sex"), parse=parse_sex, text=False),
        Column("gender", _lazy("Gender"), aliases=("prs_gender",), parse=parse_htcds_gender, text=False),
        Column(
            "nationality",
            _lazy("Citizenship"),
            aliases=("prs_citizenship", "citizenship"),
            parse=htcds_choice("prs_Citizenship"),
            text=False,
        ),
        Column("village_code", _lazy("Village code"), required=True, aliases=("village",)),
        Column(
            "consent_to_share",
            _lazy("Agrees to share with other organisations"),
            aliases=("con_consent", "consent"),
            parse=parse_consent,
            text=False,
        ),
        Column(
            "opened_on",
            _lazy("Date the case was opened"),
            aliases=("cas_incomingreferraldate", "submissiondate", "today"),
            parse=dates.parse_date,
            text=False,
        ),
        Column(
            "status",
            _lazy("Case status"),
            aliases=("cas_status",),
            parse=htcds_choice("cas_Status"),
            text=False,
        ),
        Column(
            "recruitment_methods",
            _lazy("Method of recruitment"),
            aliases=("vic_methodofrecruitment",),
            parse=htcds_choices("vic_MethodOfRecruitment"),
            text=False,
        ),
        Column(
            "control_methods",
            _lazy("Methods of control"),
            aliases=("vic_methods_of_control", "vic_methodsofcontrol"),
            parse=htcds_choices("vic_MethodsOfControl"),
            text=False,
        ),
        Column(
            "exploitation_types",
            _lazy("Type of exploitation"),
            aliases=("vic_typeofexploitation",),
            parse=htcds_choices("vic_TypeOfExploitation"),
            text=False,
        ),
        Column(
            "sex_exploitation_types",
            _lazy("Type of sexual exploitation"),
            aliases=("vic_typeofsexexploitation",),
            parse=htcds_choices("vic_TypeOfSexExploitation"),
            text=False,
        ),
        Column(
            "labour_industry",
            _lazy("Forced-labour industry"),
            aliases=("vic_forcedlabourindustry",),
            parse=htcds_choices("vic_ForcedLabourIndustry"),
            text=False,
        ),
        Column(
            "trafficking_status",
            _lazy("Trafficking status"),
            aliases=("vic_traffickingstatus",),
            parse=htcds_choice("vic_TraffickingStatus"),
            text=False,
        ),
        Column(
            "decided_by_org",
            _lazy("Who decided the status"),
            # IOM's Excel template spells it without the g.
            aliases=("vic_traffickingstatusdecisionmakingorg", "vic_traffickinstatusdecisionmakingorg"),
            parse=htcds_choice("vic_TraffickingStatusDecisionMakingOrg"),
            text=False,
        ),
    )

    def skips(self, cells: dict[str, Any]) -> bool:
        """IOM's template repeats each column's label in row 2, under its field name: not a case."""
        labels = htcds_lists.template_label_keys()
        filled = [(h, c) for h, c in cells.items() if h and c not in (None, "")]
        return len(filled) >= 2 and all(
            labels.get(htcds_lists.key(h)) == htcds_lists.key(c) for h, c in filled
        )

    def read(self, row: Row, mapping: dict[str, str], ctx: Context) -> None:
        super().read(row, mapping, ctx)
        industries = row.values.get("labour_industry") or []
        if len(industries) > 1:
            row.flags.append("several_industries")  # the case keeps the first; the note says which
            row.values["industry_note"] = ", ".join(industries[1:])
        row.values["labour_industry"] = industries[0] if industries else ""
        gender = row.values.get("gender")
        if gender and row.values.get("sex") in (None, "", Person.Sex.UNKNOWN):
            row.values["sex"] = htcds.GENDER_SEX[gender]
        if "consent_to_share" in mapping and row.values.get("consent_to_share") is None:
            # The file asks and the row does not say: not shared until someone records a yes.
            row.values["consent_to_share"] = False

    def check(self, rows: list[Row], ctx: Context) -> None:
        from safepassage.cases.services.bulk import case_draft_check

        for row in rows:
            if row.problems:
                continue
            draft = self._draft(row)
            try:
                case_draft_check(actor=ctx.actor, agency=ctx.agency, draft=draft, villages=ctx.villages)
            except ValidationError as error:
                _errors_to_row(row, error, {})
            else:
                row.prepared = draft

    def write(self, rows: list[Row], ctx: Context) -> list[tuple[int, int]]:
        from safepassage.cases.services.bulk import case_draft_check, cases_bulk_open

        drafts = []
        for row in rows:
            if row.prepared is None:  # not checked in this run
                row.prepared = self._draft(row)
                case_draft_check(
                    actor=ctx.actor, agency=ctx.agency, draft=row.prepared, villages=ctx.villages
                )
            drafts.append(row.prepared)
        made = cases_bulk_open(
            actor=ctx.actor, agency=ctx.agency, drafts=drafts, source=f"import {ctx.job_id or ''}".strip()
        )
        return [(row.number, case.pk) for row, case in zip(rows, made, strict=True)]

    def _draft(self, row: Row) -> Any:
        from safepassage.cases.services.bulk import CaseDraft

        values = _service_values(row)
        if row.values.get("consent_to_share") is False:
            values["consent_to_share"] = False
        person = {
            k: values.pop(k)
            for k in ("given_name", "family_name", "birth_date", "sex", "village_code")
            if k in values
        }
        values.pop("industry_note", None)
        return CaseDraft(
            person_fields=person,
            opened_on=values.pop("opened_on", None) or timezone.localdate(),
            status=values.pop("status", ""),
            trafficking_status=values.pop("trafficking_status", ""),
            decided_by_org=values.pop("decided_by_org", ""),
            fields=values,
        )


class Interventions(Kind):
    """Who received which prevention intervention, and when (people's interventions, R-073): one row per
    person and intervention, through the prevention app's own service."""

    name = "interventions"
    label = _lazy("Interventions received")
    object_type = "prevention.delivery"
    columns = (
        Column(
            "person_id",
            _lazy("Person number"),
            required=True,
            aliases=("person", "person_number"),
            parse=v.parse_int,
            text=False,
        ),
        Column("intervention", _lazy("Intervention"), required=True, aliases=("intervention_code", "code")),
        Column(
            "started_on",
            _lazy("Started on"),
            required=True,
            aliases=("start", "date"),
            parse=dates.parse_date,
            text=False,
        ),
        Column("ended_on", _lazy("Ended on"), aliases=("end",), parse=dates.parse_date, text=False),
        Column("note", _lazy("Note"), aliases=("notes",)),
    )

    def check(self, rows: list[Row], ctx: Context) -> None:
        """Every problem of a row at once: a person the importer cannot change, an intervention not in the
        catalogue (by code or English name), a day in the future or an end before the start."""
        from safepassage.prevention.models import Intervention

        catalogue = {i.code: i.code for i in Intervention.objects.filter(active=True)}
        catalogue.update(
            {
                str(i.label.get("en", "")).strip().lower(): i.code
                for i in Intervention.objects.filter(active=True)
            }
        )
        wanted = {r.values["person_id"] for r in rows if r.values.get("person_id") is not None}
        people = set(
            Person.objects.visible_to(ctx.actor, Action.CHANGE)
            .filter(pk__in=wanted, agency=ctx.agency)
            .values_list("pk", flat=True)
        )
        for row in rows:
            pid = row.values.get("person_id")
            if pid is not None and pid not in people:
                row.problem(
                    "person_id", _("There is no person with this number whose record you can change.")
                )
            code = str(row.values.get("intervention") or "").strip()
            if code:
                found = catalogue.get(code) or catalogue.get(code.lower())
                if found is None:
                    row.problem("intervention", _("This intervention is not in the catalogue."))
                else:
                    row.values["intervention"] = found
            start, end = row.values.get("started_on"), row.values.get("ended_on")
            if start is not None and start > ctx.today:
                row.problem("started_on", _("The date cannot be in the future."))
            if start is not None and end is not None and end < start:
                row.problem("ended_on", _("The end is before the start."))

    def write(self, rows: list[Row], ctx: Context) -> list[tuple[int, int]]:
        from safepassage.prevention.services import delivery_record

        made = []
        for row in rows:
            values = _service_values(row)
            person = Person.objects.get(pk=values.pop("person_id"))
            made.append((row.number, delivery_record(actor=ctx.actor, person=person, **values).pk))
        return made


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        People(),
        Households(),
        Assessments(),
        Workplaces(),
        Observations(),
        Responders(),
        Cases(),
        Interventions(),
    )
}


def kind_choices() -> list[tuple[str, str]]:
    return [(k.name, str(k.label)) for k in KINDS.values()]
