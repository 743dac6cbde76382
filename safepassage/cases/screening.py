"""Screening: does what happened meet the definition of trafficking? Pure functions, no database.

The Palermo Protocol's definition, as the seeds and PRODUCT.md apply it: an adult was trafficked when
there was an act (recruitment, transport, transfer, harbouring, receipt), a means (threat, force, coercion,
abduction, fraud, deception, abuse of power or of vulnerability, payments to someone in control) and a
purpose of exploitation. For a child (under 18 at the time) the means do not matter: act plus exploitation
is trafficking. Exploitation without the other elements may still be a labour-rights matter. The result is
a suggestion with its reasoning; a person decides the status (PRODUCT.md rule 7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

ACTS = {
    "recruitment": _("Recruitment"),
    "transport": _("Transport"),
    "transfer": _("Transfer"),
    "harbouring": _("Harbouring"),
    "receipt": _("Receipt"),
}
MEANS = {
    "threat": _("Threat"),
    "force": _("Force"),
    "coercion": _("Other coercion"),
    "abduction": _("Abduction"),
    "fraud": _("Fraud"),
    "deception": _("Deception"),
    "abuse_of_power": _("Abuse of power"),
    "abuse_of_vulnerability": _("Abuse of a position of vulnerability"),
    "payments": _("Payments to someone who controls the person"),
    "debt_bondage": _("Debt bondage"),
}
PURPOSES = {
    "sexual": _("Sexual exploitation"),
    "forced_labour": _("Forced labour or services"),
    "slavery": _("Slavery or practices like it"),
    "servitude": _("Servitude"),
    "organ_removal": _("Removal of organs"),
    "forced_begging": _("Forced begging"),
    "forced_marriage": _("Forced marriage"),
    "child_labour": _("Worst forms of child labour"),
    "criminal_activity": _("Forced criminal activity"),
}
LABOUR_ISSUES = {
    "contract_breach": _("Contract breached"),
    "unpaid_wages": _("Wages unpaid or under minimum"),
    "irregular_deposit": _("Irregular deposit or wage deduction"),
    "recruitment_fees": _("Recruitment fees charged to the worker"),
    "excessive_hours": _("Excessive hours"),
    "no_contract": _("No written contract"),
    "unsafe": _("Unsafe work or housing"),
    "documents_kept": _("Employer keeps documents"),
}


class Outcome:
    TRAFFICKING = "trafficking"
    LABOUR = "labour_rights"
    NOT_INDICATED = "not_indicated"
    INCOMPLETE = "incomplete"


OUTCOME_LABELS = {
    Outcome.TRAFFICKING: _("Trafficking indicated"),
    Outcome.LABOUR: _("Labour-rights matter, not trafficking"),
    Outcome.NOT_INDICATED: _("Neither trafficking nor a labour-rights matter indicated"),
    Outcome.INCOMPLETE: _("Not enough known yet"),
}


@dataclass(frozen=True)
class ScreeningResult:
    outcome: str
    child: bool | None
    reasoning: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


def _names(codes: Iterable[str], table: Mapping[str, object]) -> str:
    return ", ".join(str(table[c]) for c in codes)


def screen(
    *,
    age: int | None,
    acts: Iterable[str] = (),
    means: Iterable[str] = (),
    purposes: Iterable[str] = (),
    labour_issues: Iterable[str] = (),
) -> ScreeningResult:
    """Apply the child rule or the adult rule; unknown codes raise ValueError naming them."""
    acts, means, purposes, labour = (
        sorted(set(acts)),
        sorted(set(means)),
        sorted(set(purposes)),
        sorted(set(labour_issues)),
    )
    for codes, table, name in (
        (acts, ACTS, "acts"),
        (means, MEANS, "means"),
        (purposes, PURPOSES, "purposes"),
        (labour, LABOUR_ISSUES, "labour_issues"),
    ):
        unknown = [c for c in codes if c not in table]
        if unknown:
            raise ValueError(f"{name}: unknown {', '.join(unknown)}")
    reasons: list[str] = []
    child = None if age is None else age < 18
    if child is True:
        reasons.append(
            str(_("Under 18 at the time (%(age)s): the child rule applies, means are not needed."))
            % {"age": age}
        )
    elif child is False:
        reasons.append(
            str(_("18 or over at the time (%(age)s): the adult rule applies, means are needed."))
            % {"age": age}
        )
    else:
        reasons.append(
            str(
                _(
                    "Age at the time not known: the adult rule is applied; "
                    "record the age to apply the child rule."
                )
            )
        )
    reasons.append(
        str(_("Act: %(list)s.")) % {"list": _names(acts, ACTS)}
        if acts
        else str(_("No act recorded (recruitment, transport, transfer, harbouring, receipt)."))
    )
    reasons.append(
        str(_("Means: %(list)s.")) % {"list": _names(means, MEANS)} if means else str(_("No means recorded."))
    )
    reasons.append(
        str(_("Exploitation: %(list)s.")) % {"list": _names(purposes, PURPOSES)}
        if purposes
        else str(_("No exploitation recorded."))
    )
    if acts and purposes and (child or means):
        if child:
            reasons.append(str(_("Act and exploitation of a child: trafficking, whatever the means.")))
        else:
            reasons.append(str(_("Act, means and exploitation are all present: trafficking.")))
        return ScreeningResult(Outcome.TRAFFICKING, child, reasons)
    if labour or purposes:
        if labour:
            reasons.append(
                str(_("Labour-rights issues: %(list)s.")) % {"list": _names(labour, LABOUR_ISSUES)}
            )
        missing = [] if acts else [str(_("an act"))]
        if not child and not means:
            missing.append(str(_("a means")))
        if missing:
            reasons.append(str(_("Missing for trafficking: %(list)s.")) % {"list": ", ".join(missing)})
        if labour or (purposes and not child):
            reasons.append(str(_("Follow the labour-rights track; screen again if more comes to light.")))
            return ScreeningResult(Outcome.LABOUR, child, reasons)
        return ScreeningResult(Outcome.INCOMPLETE, child, reasons)
    if acts or means:
        reasons.append(str(_("No exploitation recorded yet: screen again when more is known.")))
        return ScreeningResult(Outcome.INCOMPLETE, child, reasons)
    reasons.append(str(_("Nothing recorded points to trafficking or a labour-rights matter.")))
    return ScreeningResult(Outcome.NOT_INDICATED, child, reasons)
