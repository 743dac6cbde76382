"""Report cells: counts of assessed people per (agency, village, sex, age band, risk band), kept current
by every write that changes someone's current risk, so province and country reports read tens of
thousands of cells instead of millions of people. Rebuilt nightly too, because people grow older."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Q, Sum, Value, When
from django.utils import timezone


def age_band_expression(as_of: date, field: str = "birth_year") -> Case:
    """The age band (0-9, 10-14, 15-17, 18-24, 25+, unknown) from the year of birth, as one SQL CASE."""
    year = as_of.year
    return Case(
        When(**{f"{field}__isnull": True}, then=Value("unknown")),
        When(**{f"{field}__gte": year - 9}, then=Value("0-9")),
        When(**{f"{field}__gte": year - 14}, then=Value("10-14")),
        When(**{f"{field}__gte": year - 17}, then=Value("15-17")),
        When(**{f"{field}__gte": year - 24}, then=Value("18-24")),
        default=Value("25+"),
        output_field=CharField(),
    )


def refresh(*, villages: Iterable[int] | None = None, as_of: date | None = None) -> int:
    """Recount the cells of some villages (all when None) from current risk; returns cells written."""
    from safepassage.registry.models import Person, RiskCell

    as_of = as_of or timezone.localdate()
    village_ids = None if villages is None else sorted(set(villages))
    people = Person.objects.exclude(current_band="")
    cells = RiskCell.objects.all()
    if village_ids is not None:
        if not village_ids:
            return 0
        people = people.filter(village_id__in=village_ids)
        cells = cells.filter(village_id__in=village_ids)
    scored = ~Q(current_band="incomplete")
    rows = (
        people.annotate(age_band=age_band_expression(as_of))
        .values("agency_id", "village_id", "sex", "age_band", "current_band")
        .annotate(
            n=Count("id"),
            index_sum=Sum("current_index", filter=scored),
            index_n=Count("current_index", filter=scored),
            key_sum=Sum("record_key"),
        )
        .order_by()
    )
    # Counted and written by the database in one statement: no cell passes through Python.
    sql, params = rows.query.sql_with_params()
    table = RiskCell._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cells.delete()
        # (the table is the model's own and the subquery Django's, with its parameters kept apart)
        insert = (
            f"INSERT INTO {table} "
            "(agency_id, village_id, sex, age_band, band, n, index_sum, index_n, key_sum, built_on) "
            "SELECT agency_id, village_id, sex, age_band, current_band, n, COALESCE(index_sum, 0), "
            "index_n, key_sum, %s "
        )
        cursor.execute(insert + f"FROM ({sql}) AS counted", [as_of, *params])
        return cursor.rowcount
