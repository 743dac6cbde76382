"""Model fields sealed at rest (core.crypto), and the blind index of an ID number.

Every write path seals: `save`, `bulk_create`, `bulk_update` and `QuerySet.update` all turn a value into the
database's form through the field (get_db_prep_save), and every read opens it (from_db_value, also for
`values()`). What no longer works on a sealed column is searching it: the value is sealed with a fresh nonce
each time, so the only look-up allowed is for the empty value ("has none"); anything else is an error rather
than a search that silently finds nothing. ID numbers are looked up through their blind index instead.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from safepassage.core import crypto

EMPTY_JSON = ("[]", "{}", "null", '""')


class SealedExact(Exact):
    """`field=""` (or `[]`, `{}` for JSON): the only comparison a sealed column answers."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None, [], {}):
            field = getattr(self.lhs, "target", None) or self.lhs.output_field
            raise FieldError(
                f"{getattr(field, 'name', 'this field')} is encrypted at rest and cannot be searched "
                "(ID numbers: use their blind index)"
            )
        return super().get_prep_lookup()


class SealedMixin:
    """What the sealed fields share: a text column, and only 'is empty' / 'is null' look-ups."""

    def get_internal_type(self) -> str:
        return "TextField"

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return SealedExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def get_transform(self, lookup_name: str) -> Any:
        return None


class SealedTextMixin(SealedMixin):
    """Text sealed on the way in (the empty text stays empty), opened on the way out."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]
        if value is None:
            return None
        return crypto.seal(str(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return crypto.unseal(value)


class EncryptedCharField(SealedTextMixin, models.CharField):
    """A CharField sealed at rest: its max_length still limits what may be entered; the column is text."""


class EncryptedEmailField(SealedTextMixin, models.EmailField):
    """An e-mail address sealed at rest (checked as an address on the way in)."""


class EncryptedTextField(SealedTextMixin, models.TextField):
    """A TextField sealed at rest."""


class EncryptedJSONField(SealedMixin, models.JSONField):
    """JSON sealed at rest: written as JSON text, sealed, in a text column. An empty list or object is kept
    as it is (it says only "none"), so "has none" can still be asked of the column."""

    def db_type(self, connection: Any) -> str | None:
        return "text"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None and self.null:
            return None
        text = json.dumps(value, cls=self.encoder, ensure_ascii=False)
        return text if text in EMPTY_JSON else crypto.seal(text)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if hasattr(value, "as_sql"):
            return value
        return self.get_db_prep_value(value, connection, prepared=False)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):  # (a driver that parsed JSON: a column not yet converted)
            return value
        return json.loads(crypto.unseal(value), cls=self.decoder)


class BlindIndexField(models.CharField):
    """The keyed hash of another field's ID number (core.crypto.blind_index), written from it on every save
    and bulk insert; what look-ups by number compare. Never shown, never entered."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("max_length", 32), ("blank", True), ("editable", False), ("default", "")):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = crypto.blind_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value
