"""What every API router shares: the one error shape and helpers to raise it."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema


class FieldError(Schema):
    """One problem with one field of a request."""

    field: str
    message: str


class ErrorOut(Schema):
    """Every API error: a sentence for people, and the fields at fault for programs."""

    detail: str
    errors: list[FieldError] = []


def field_errors(error: DjangoValidationError) -> list[dict[str, str]]:
    """A Django ValidationError as a list of {field, message}."""
    if hasattr(error, "error_dict"):
        return [
            {"field": field if field != "__all__" else "", "message": str(message)}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": str(message)} for message in error.messages]


def error_body(detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON body of an API error."""
    return {"detail": detail, "errors": errors or []}


class MappedPage:
    """A queryset whose rows are turned into dicts only for the page the paginator slices out.

    Lets a paginated endpoint shape each row with per-viewer rules (what they may see) without computing the
    shape for every row of the list.
    """

    def __init__(self, queryset: Any, shape: Any) -> None:
        self.queryset = queryset
        self.shape = shape

    def all(self) -> "MappedPage":
        return self

    def count(self) -> int:
        return int(self.queryset.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        return [self.shape(row) for row in self.queryset[index]]
