"""Export pages: make an export for a purpose, see its password once, download it while it is kept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from safepassage.accounts.selectors import signed_in_user
from safepassage.core.access import viewer_for
from safepassage.core.forms import DateInput
from safepassage.core.models import get_for_user
from safepassage.core.roles import Role
from safepassage.exports import selectors, services
from safepassage.exports.models import Export


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to export"), choices=())
    file_format = forms.ChoiceField(label=gettext_lazy("Format"), choices=Export.Format.choices)
    opened_from = forms.DateField(
        label=gettext_lazy("Cases opened from"),
        required=False,
        widget=DateInput(),
    )
    opened_to = forms.DateField(
        label=gettext_lazy("Cases opened until"),
        required=False,
        widget=DateInput(),
    )
    purpose = forms.CharField(
        label=gettext_lazy("What is it for?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept in the audit trail with the export."),
    )
    encrypt = forms.BooleanField(
        label=gettext_lazy("Encrypt the file (strongly advised)"), required=False, initial=True
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(k, label) for k, label in Export.Kind.choices if services.may_export(user, k)]
        if not viewer_for(user).has_role(Role.ADMIN):
            del self.fields["encrypt"]  # only an administrator may choose an unencrypted file
        else:
            self.fields["encrypt"].help_text = gettext_lazy(
                "Leave this ticked. Without it the file opens without a password; that choice is recorded."
            )


def _require(request: HttpRequest) -> Any:
    user = signed_in_user(request)
    if not services.may_export(user):
        raise Http404
    return user


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    user = _require(request)
    form = ExportForm(request.POST or None, user=user)
    made: tuple[Export, str | None] | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.export_create(
                actor=user,
                kind=data["kind"],
                purpose=data["purpose"],
                file_format=data["file_format"],
                filters=services.Filters(data["opened_from"], data["opened_to"]),
                encrypt=data.get("encrypt", True) if "encrypt" in form.fields else True,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
    if made is not None:
        # The password is shown on this page only, right after the export is made.
        response = render(
            request, "exports/detail.html", {"export": made[0], "password": made[1]}, status=201
        )
        response["Cache-Control"] = "no-store"  # the password must not stay in a cache
        return response
    page = Paginator(selectors.export_list(user), 30).get_page(request.GET.get("page"))
    return render(
        request, "exports/list.html", {"form": form, "page": page, "keep_hours": services.keep_hours()}
    )


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request)
    export = get_for_user(selectors.export_list(user), user, pk)
    return render(request, "exports/detail.html", {"export": export, "password": None})


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    user = _require(request)
    export = get_for_user(selectors.export_list(user), user, pk)
    path = services.export_file(user, export)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=export.file_name, content_type="application/zip"
    )
