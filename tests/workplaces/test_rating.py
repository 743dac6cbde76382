"""The workplace rating: same evidence, same rating; older evidence weighs less; overrides keep a reason."""

from datetime import date, timedelta

from safepassage.workplaces.rating import Evidence, RatingParams, rate

DAY = date(2026, 6, 1)


def test_the_same_evidence_gives_the_same_rating():
    evidence = [Evidence(1, DAY, "A", ("debt_bondage", "no_contract")), Evidence(2, DAY, "C", ("deception",))]
    first = rate(evidence, as_of=DAY)
    second = rate(list(reversed(evidence)), as_of=DAY)
    assert (first.score, first.band, first.breakdown) == (second.score, second.band, second.breakdown)
    # debt bondage 3 × 1.0 + no contract 1 × 1.0 + deception 2 × 0.6 = 5.2
    assert first.score == 5.2
    assert first.band == "medium"
    assert [b["indicator"] for b in first.breakdown] == ["debt_bondage", "deception", "no_contract"]


def test_older_evidence_weighs_less():
    fresh = rate([Evidence(1, DAY, "A", ("debt_bondage",))], as_of=DAY)
    year_old = rate([Evidence(1, DAY - timedelta(days=365), "A", ("debt_bondage",))], as_of=DAY)
    two_years = rate([Evidence(1, DAY - timedelta(days=730), "A", ("debt_bondage",))], as_of=DAY)
    assert fresh.score == 3.0
    assert year_old.score == 1.5  # half-life one year
    assert two_years.score == 0.75
    assert (
        rate(
            [Evidence(1, DAY, "A", ("debt_bondage",))], as_of=DAY, params=RatingParams(half_life_days=30)
        ).score
        == 3.0
    )


def test_reliability_scales_and_unknown_or_future_evidence_counts_nothing():
    assert rate([Evidence(1, DAY, "E", ("debt_bondage",))], as_of=DAY).score == 0.6
    assert rate([Evidence(1, DAY + timedelta(days=1), "A", ("debt_bondage",))], as_of=DAY).band == "none"
    assert rate([Evidence(1, DAY, "A", ("not_an_indicator",))], as_of=DAY).score == 0


def test_bands():
    high = rate(
        [Evidence(1, DAY, "A", ("debt_bondage", "physical_sexual_violence", "child_workers"))], as_of=DAY
    )
    assert (high.score, high.band) == (9.0, "high")
    low = rate([Evidence(1, DAY, "B", ("no_contract",))], as_of=DAY)
    assert (low.score, low.band) == (0.8, "low")
