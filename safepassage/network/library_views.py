"""Pages: the reference library (R-101): search, add, download, retire."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.core.access import viewer_for
from safepassage.core.forms import DateInput
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.network import library
from safepassage.network.languages import LANGUAGES
from safepassage.network.models import MAINTAINER_ROLES, LibraryDocument


class DocumentForm(forms.Form):
    title = forms.CharField(label=_lazy("Title"), max_length=300)
    kind = forms.ChoiceField(label=_lazy("Kind"), choices=LibraryDocument.Kind.choices)
    language = forms.ChoiceField(label=_lazy("Language"), choices=LANGUAGES)
    country = forms.CharField(label=_lazy("Country (code)"), max_length=2, required=False)
    published_on = forms.DateField(label=_lazy("Date"), widget=DateInput(), required=False)
    summary = forms.CharField(
        label=_lazy("What it is about"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    url = forms.URLField(label=_lazy("Link"), max_length=500, required=False, assume_scheme="https")
    upload = forms.FileField(
        label=_lazy("Or the file"),
        required=False,
        help_text=_lazy("A PDF or a photo, up to 10 MB. Kept sealed."),
    )
    audience = forms.ChoiceField(label=_lazy("Who may see it"), choices=LibraryDocument.Audience.choices)


@login_required
def library_page(request: HttpRequest) -> HttpResponse:
    """The library: every member of an agency reads it; administrators and coordinators add to it."""
    user = signed_in_user(request)
    viewer = viewer_for(user)
    if not viewer.grants:
        raise Http404
    may_add = viewer.has_role(*MAINTAINER_ROLES)
    form = DocumentForm()
    if request.method == "POST":
        if not may_add:
            raise Http404
        if request.POST.get("retire"):
            document = get_for_user(
                LibraryDocument.objects.all(), user, request.POST["retire"], Action.CHANGE
            )
            library.document_retire(actor=user, document=document)
            messages.success(request, _("Taken out of the library."))
            return redirect("network:library")
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                library.document_add(actor=user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                if isinstance(error, PermissionDenied):
                    form.add_error(None, str(error))
                else:
                    for name, problems in error.message_dict.items():
                        form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, _("Added to the library."))
                return redirect("network:library")
    filters = {k: request.GET.get(k, "").strip() for k in ("kind", "language", "country")}
    documents = library.library(viewer=user, query=request.GET.get("q", "").strip(), **filters)[:300]
    keeps = {g.agency_id for g in viewer.grants if g.role in MAINTAINER_ROLES}
    return render(
        request,
        "network/library.html",
        {
            "documents": documents,
            "form": form,
            "may_add": may_add,
            "keeps": keeps,
            "kinds": LibraryDocument.Kind.choices,
            "languages": LANGUAGES,
            "filters": filters,
            "q": request.GET.get("q", ""),
        },
    )


@login_required
def library_file(request: HttpRequest, pk: int) -> FileResponse:
    """A library document's file, for those who may read it; every download audited."""
    user = signed_in_user(request)
    document = get_for_user(LibraryDocument.objects.all(), user, pk)
    if not document.file:
        raise Http404
    audit_read(actor=user, obj=document, what="file")
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="library-{document.pk}"'
    return response
