"""What every API router shares: the one error shape and helpers to raise it."""

from collections.abc import Iterable
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema
from pydantic import BaseModel, Field


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


# The largest whole number the databases store (PostgreSQL's bigint), and the furthest page a list goes.
MAX_INT = 2**63 - 1
MAX_PAGE = 1_000_000
_BOUNDS = {
    "page": Field(ge=1, le=MAX_PAGE),
    "page_size": Field(ge=1, le=1000),
}


def _bounded(annotation: Any, name: str = "") -> Any:
    """`annotation` with every int in it limited to what the database can hold (pages: to MAX_PAGE)."""
    if annotation is int:
        bound = _BOUNDS.get(name) or Field(ge=-MAX_INT, le=MAX_INT)
        return Annotated[int, bound]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is None or not args:
        return annotation
    if origin is Annotated:
        return Annotated[(_bounded(args[0], name), *annotation.__metadata__)]
    bounded = tuple(_bounded(arg, name) for arg in args)
    if bounded == args:
        return annotation
    if origin in (Union, UnionType):
        return Union[bounded]  # noqa: UP007 - rebuilt from its parts
    if isinstance(origin, type) and hasattr(origin, "__class_getitem__"):
        return origin[bounded]  # type: ignore[index]
    return annotation


def bound_numbers(models: Iterable[type[BaseModel]]) -> None:
    """Limit every int field of these models, and of the models inside them, so a huge number (an id, a page)
    is a 422 naming the field, never a database error. Called once for the whole API at start-up."""
    changed: dict[type[BaseModel], bool] = {}

    def visit(model: type[BaseModel]) -> bool:
        if model in changed:
            return changed[model]
        changed[model] = False
        inner_changed = False
        for name, field in model.model_fields.items():
            for inner in _models_in(field.annotation):
                inner_changed = visit(inner) or inner_changed
            bounded = _bounded(field.annotation, name)
            if bounded is not field.annotation:
                field.annotation = bounded
                inner_changed = True
        if inner_changed:
            model.model_rebuild(force=True)  # also when only a model inside changed: its schema is copied in
        changed[model] = inner_changed
        return inner_changed

    for model in models:
        visit(model)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]
