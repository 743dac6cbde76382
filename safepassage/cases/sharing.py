"""What a receiving agency will read before a referral is sent, and who can see a person through their cases.

The sender sees "<agency> will see: …" (the referral form and the API's referral preview) from the same
selectors.referral_parts rules the receiver is later held to; the person page lists the agencies a case of the
person is referred to, with their receiving profile, and the reads of those cases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from safepassage.accounts import profiles
from safepassage.cases import selectors
from safepassage.cases.models import Case, Referral
from safepassage.network.models import Organisation, SharingAgreement
from safepassage.network.sharing import agreements_between
from safepassage.registry.models import Person
from safepassage.registry.reach import REACH_SOURCES, READ_SOURCES, Reach

LIVE = (Referral.Status.PENDING, Referral.Status.ACCEPTED)


@dataclass(frozen=True)
class Preview:
    """What one organisation would read of a case if it were referred now."""

    organisation: Organisation
    profile: str
    parts: frozenset[str]
    on_safepassage: bool
    enforcement: bool
    consent_could_open: frozenset[str]
    agreements: list[SharingAgreement] = field(default_factory=list)

    @property
    def profile_label(self) -> str:
        found = profiles.get_profile(self.profile)
        return found.label if found is not None else _("receives no cases")

    @property
    def will_see(self) -> list[str]:
        return profiles.part_labels(self.parts)

    @property
    def consent_labels(self) -> list[str]:
        return profiles.part_labels(self.consent_could_open)

    @property
    def never(self) -> list[str]:
        return profiles.part_labels(selectors.SHARED_PARTS - self.parts - self.consent_could_open)

    @property
    def sentence(self) -> str:
        """ "Chiang Mai Police will see: …" in words."""
        if not self.on_safepassage:
            return _(
                "%(name)s is not on SafePassage: it sees nothing here; tell them only what they need."
            ) % {"name": self.organisation.name}
        agency = self.organisation.member_agency
        name = agency.name if agency is not None else self.organisation.name
        if not self.parts:
            return _("%(name)s will see nothing of this case.") % {"name": name}
        return _("%(name)s will see: %(parts)s.") % {
            "name": name,
            "parts": "; ".join(self.will_see),
        }


def preview(
    organisation: Organisation,
    *,
    sender_id: int | None,
    via: Referral | None = None,
    consent_names_agency: bool = False,
    consent_covers: Sequence[str] = (),
    consent: str = Referral.Consent.PERSON,
) -> Preview:
    """What `organisation` would read under this consent, as referral_parts holds it to once it accepts."""
    agency = organisation.member_agency
    profile = agency.profile if agency is not None else organisation.profile
    named = consent_names_agency and consent in (Referral.Consent.PERSON, Referral.Consent.GUARDIAN)
    parts = selectors.profile_parts(profile, covers=consent_covers, named=named) if agency else frozenset()
    if via is not None:
        parts &= selectors.referral_parts(via)
    found = profiles.get_profile(profile)
    could_open = found.with_consent - parts if found is not None else frozenset()
    return Preview(
        organisation=organisation,
        profile=profile,
        parts=parts,
        on_safepassage=agency is not None,
        enforcement=profiles.is_enforcement(profile),
        consent_could_open=could_open,
        agreements=agreements_between(sender_id, agency.pk if agency else None),
    )


def previews(
    organisations: Iterable[Organisation], *, sender_id: int | None, via: Referral | None
) -> list[Preview]:
    """Each organisation on SafePassage of a referral form, with what it would read under its profile."""
    return [preview(o, sender_id=sender_id, via=via) for o in organisations if o.member_agency_id]


def described(referrals: Iterable[Referral]) -> list[Referral]:
    """Referrals with what their receiver reads (`reads_text`) and what the consent covers (`covers_text`), in
    words, for the case page."""
    found = list(referrals)
    for r in found:
        r.reads_text = "; ".join(profiles.part_labels(selectors.referral_parts(r)))  # type: ignore[attr-defined]
        r.covers_text = "; ".join(profiles.part_labels(r.consent_covers or []))  # type: ignore[attr-defined]
        known = profiles.get_profile(r.profile)
        r.profile_label = known.label if known is not None else ""  # type: ignore[attr-defined]
    return found


def receiving_agreements(case: Case) -> list[SharingAgreement]:
    """Agreements in force between the case's agency and the agencies it is referred to now."""
    found: dict[int, SharingAgreement] = {}
    for referral in case.referrals.filter(status__in=LIVE, to_agency__isnull=False):
        for agreement in agreements_between(referral.from_agency_id, referral.to_agency_id):
            found[agreement.pk] = agreement
    return list(found.values())


# ------------------------------------------------------------------------------------- the person page


def _reach(person: Person) -> list[Reach]:
    """Agencies a case of this person is referred to now: those that accepted read their profile's parts."""
    referrals = (
        Referral.objects.filter(case__person=person, status__in=LIVE, to_agency__isnull=False)
        .select_related("to_agency", "case")
        .order_by("created_at")
    )
    found = []
    for r in referrals:
        assert r.to_agency is not None
        found_profile = profiles.get_profile(r.profile)
        label = found_profile.label if found_profile else ""
        if r.status == Referral.Status.ACCEPTED:
            why = _("case %(ref)s referred to it (%(profile)s)") % {"ref": r.case.reference, "profile": label}
            reads = "; ".join(profiles.part_labels(selectors.referral_parts(r)))
        else:
            why = _("case %(ref)s referred to it, not yet accepted: it sees nothing yet") % {
                "ref": r.case.reference
            }
            reads = ""
        found.append(Reach(r.to_agency.name, why, reads))
    return found


def _reads(person: Person) -> Q:
    cases = [str(pk) for pk in Case.objects.filter(person=person).values_list("pk", flat=True)]
    return Q(object_type="cases.case", object_id__in=cases, action="cases.case.view")


def connect() -> None:
    """Fill the registry's hooks (once, from CasesConfig.ready)."""
    if _reach not in REACH_SOURCES:
        REACH_SOURCES.append(_reach)
    if _reads not in READ_SOURCES:
        READ_SOURCES.append(_reads)
