"""Lists kept as data that a system administrator edits without a release (R-016, G-07): workplace sectors
(`SectorKind`) and what responders can help with (`network.ExpertiseKind`). One home for the abstract obj,
its choices, its service and its page; each app names its list."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.accounts.models import User
from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_record
from safepassage.core.kinds import Kind, kind_choices, kind_codes, kind_labels

LANGUAGES = [(code, name) for code, name in settings.LANGUAGES if code != "en"]


@transaction.atomic
def kind_save(
    model: type[Kind],
    *,
    actor: User | None,
    code: str,
    name: str,
    in_language: str = "",
    translated_name: str = "",
    order: int = 0,
    active: bool = True,
) -> Kind:
    """Add an entry or change one: its English name, its name in one language, order, in use (system
    administrators; audited). Retired, never deleted: old records keep their code."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator changes this list."))
    errors: dict[str, list[str]] = {}
    if not code or not code.replace("_", "").isalnum() or code != code.lower():
        errors["code"] = [_("A code is lower-case letters, digits and _.")]
    if not name.strip():
        errors["name"] = [_("Give it a name in English.")]
    if in_language and in_language not in dict(LANGUAGES):
        errors["in_language"] = [_("Unknown language.")]
    if errors:
        raise ValidationError(errors)
    obj, created = model.objects.get_or_create(  # type: ignore[attr-defined]
        code=code, defaults={"name": name.strip(), "order": order, "active": active}
    )
    obj.name, obj.order, obj.active = name.strip(), order, active
    if in_language:
        if translated_name.strip():
            obj.names[in_language] = translated_name.strip()
        else:
            obj.names.pop(in_language, None)
    obj.save()
    audit_record(
        actor=actor,
        action=f"{obj._meta.label_lower}.{'create' if created else 'update'}",
        obj=obj,
        changes={"code": code, "name": obj.name, "names": obj.names, "active": active},
        plain=("code", "name"),
    )
    return obj


class KindForm(forms.Form):
    code = forms.SlugField(label=_lazy("Code"), max_length=40)
    name = forms.CharField(label=_lazy("Name in English"), max_length=160)
    in_language = forms.ChoiceField(label=_lazy("Language"), required=False, choices=[("", "—"), *LANGUAGES])
    translated_name = forms.CharField(label=_lazy("Name in that language"), max_length=160, required=False)
    order = forms.IntegerField(label=_lazy("Order"), min_value=0, max_value=1000, initial=100)
    active = forms.BooleanField(label=_lazy("In use"), required=False, initial=True)


def kinds_page(
    request: HttpRequest, model: type[Kind], *, title: str, back: str, url_name: str
) -> HttpResponse:
    """The list; a system administrator adds, renames (per language) and retires entries. Others: 404."""
    user = signed_in_user(request)
    if not user.is_superuser:
        raise Http404
    form = KindForm()
    if request.method == "POST":
        form = KindForm(request.POST)
        if form.is_valid():
            try:
                kind_save(model, actor=user, **form.cleaned_data)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("Saved."))
                return redirect(url_name)
    return render(
        request,
        "workplaces/kinds.html",
        {"title": title, "back": back, "entries": model.objects.all(), "form": form, "languages": LANGUAGES},  # type: ignore[attr-defined]
    )


@login_required
def sectors(request: HttpRequest) -> HttpResponse:
    from safepassage.workplaces.models import SectorKind

    return kinds_page(
        request,
        SectorKind,
        title=_("Sectors of workplaces"),
        back="workplaces:list",
        url_name="workplaces:sectors",
    )


def sector_choices() -> list[tuple[str, str]]:
    from safepassage.workplaces.models import SectorKind

    return kind_choices(SectorKind)


def sector_codes(*, active: bool = True) -> list[str]:
    from safepassage.workplaces.models import SectorKind

    return kind_codes(SectorKind, active=active)


def sector_labels() -> dict[str, str]:
    from safepassage.workplaces.models import SectorKind

    return kind_labels(SectorKind)


def sector_label(code: str) -> str:
    return sector_labels().get(code, code)
