"""Pages for a person's documentation status: their documents as a list, each with its state and date, and
their citizenship and civil-registration problems followed to resolution (R-052, R-044, W-24).

Case staff of the owning agency only, never through an enforcement agency (registry.documents.allowed): for
anyone else the page is a 404, as if it were not there."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.core.countries import country_choices
from safepassage.core.forms import DateInput
from safepassage.core.roles import Action
from safepassage.registry import documents, selectors
from safepassage.registry.models import CivilProblem, DocumentKind, DocumentState, Person, PersonDocument


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Document"), choices=DocumentKind.choices)
    state = forms.ChoiceField(label=_lazy("Where it stands"), choices=DocumentState.choices)
    country = forms.ChoiceField(label=_lazy("Country"), required=False, choices=())
    state_on = forms.DateField(label=_lazy("Since (date)"), required=False, widget=DateInput())
    note = forms.CharField(label=_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = country_choices()


class ProblemForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Problem"), choices=CivilProblem.Kind.choices)
    status = forms.ChoiceField(label=_lazy("Status"), choices=CivilProblem.Status.choices)
    opened_on = forms.DateField(label=_lazy("Noticed on"), widget=DateInput())
    description = forms.CharField(
        label=_lazy("What the problem is"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_step = forms.CharField(label=_lazy("Next step"), required=False, max_length=300)
    next_step_on = forms.DateField(label=_lazy("Next step by"), required=False, widget=DateInput())
    outcome = forms.CharField(
        label=_lazy("How it ended"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_lazy("When it is resolved or closed: the document obtained, or why it could not be."),
    )


def _person(request: HttpRequest, pk: int) -> Person:
    """The person, when the user reads their documents; else 404 (not theirs, or an enforcement agency)."""
    person = selectors.get_person_for_user(request.user, pk)
    if not documents.allowed(signed_in_user(request), person):
        raise Http404
    return person


def _errors(form: forms.Form, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


@login_required
def person_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """The documents and problems of one person, with forms to add and follow them up. Every view audited."""
    person = _person(request, pk)
    user = signed_in_user(request)
    may_change = documents.allowed(user, person, Action.CHANGE)
    document_form = DocumentForm(prefix="doc", initial={"state_on": timezone.localdate()})
    problem_form = ProblemForm(prefix="problem", initial={"opened_on": timezone.localdate()})
    if request.method == "POST":
        if not may_change:
            raise Http404
        what = request.POST.get("what", "")
        try:
            if what == "document":
                document_form = DocumentForm(request.POST, prefix="doc")
                if document_form.is_valid():
                    documents.document_add(actor=user, person=person, **document_form.cleaned_data)
                    messages.success(request, _("Document recorded."))
                    return redirect("registry:person_documents", person.pk)
            elif what == "document_state":
                document = _one(person, PersonDocument, request.POST.get("id"))
                form = DocumentForm(request.POST, prefix=f"doc{document.pk}")
                form.fields["kind"].required = False
                if form.is_valid():
                    values = _posted(request, form, exclude=("kind",))
                    documents.document_update(actor=user, document=document, **values)
                    messages.success(request, _("Document changed."))
                    return redirect("registry:person_documents", person.pk)
                messages.error(request, _("The change was not saved: check the date and the state."))
            elif what == "problem":
                problem_form = ProblemForm(request.POST, prefix="problem")
                if problem_form.is_valid():
                    documents.problem_open(actor=user, person=person, **problem_form.cleaned_data)
                    messages.success(request, _("Problem recorded."))
                    return redirect("registry:person_documents", person.pk)
            elif what == "problem_follow":
                problem = _one(person, CivilProblem, request.POST.get("id"))
                follow = ProblemForm(request.POST, prefix=f"problem{problem.pk}")
                follow.fields["kind"].required = False
                follow.fields["opened_on"].required = False
                if follow.is_valid():
                    values = _posted(request, follow, exclude=("kind", "opened_on", "description"))
                    documents.problem_update(actor=user, problem=problem, **values)
                    messages.success(request, _("Follow-up saved."))
                    return redirect("registry:person_documents", person.pk)
                messages.error(request, _("The follow-up was not saved: check the dates."))
            else:
                raise Http404
        except ValidationError as error:
            target: forms.Form = problem_form if what.startswith("problem") else document_form
            if what in ("document", "problem"):
                _errors(target, error)
            else:
                for group in error.message_dict.values():
                    for problem_text in group:
                        messages.error(request, problem_text)
    status = documents.status_for(user, person)
    audit_read(actor=user, obj=person, what="documents")
    return render(
        request,
        "registry/person_documents.html",
        {
            "person": person,
            "status": status,
            "may_change": may_change,
            "document_form": document_form,
            "problem_form": problem_form,
            "states": DocumentState.choices,
            "problem_statuses": CivilProblem.Status.choices,
        },
    )


def _posted(request: HttpRequest, form: forms.Form, *, exclude: tuple[str, ...]) -> dict[str, Any]:
    """The cleaned values of the fields the follow-up form sent (a field it does not carry stays as it is)."""
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name not in exclude and form.add_prefix(name) in request.POST
    }


def _one(person: Person, model: Any, pk: Any) -> Any:
    try:
        return model.objects.get(person=person, pk=int(pk))
    except (TypeError, ValueError, model.DoesNotExist) as exc:
        raise Http404 from exc
