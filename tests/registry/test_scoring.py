"""The scoring module against examples worked out by hand."""

import random

import pytest

from safepassage.registry.scoring import (
    INCOMPLETE,
    IndicatorSpec,
    Parameters,
    Scorer,
    alkire_foster,
    band_of,
    changes,
    score,
    warnings,
)

SPECS = [
    IndicatorSpec("A", "health", "I", "S"),
    IndicatorSpec("B", "health", "H", "T"),
    IndicatorSpec("C", "education", "I", "S"),
    IndicatorSpec("D", "education", "I", "C"),
]
PARAMS = Parameters()


def test_a_full_assessment():
    # A=3, B=1, C=2, D=1: sum 7 over 4 answered → (7 − 4) / 8 × 100 = 37.5, medium.
    result = score({"A": 3, "B": 1, "C": 2, "D": 1}, SPECS, PARAMS)
    assert result.index == 37.5
    assert result.band == "medium"
    assert result.completeness == 1.0
    assert result.domain_scores == {"health": 50.0, "education": 25.0}
    assert result.count_3 == 1
    assert result.deprivation_share == 0.25  # one of four answered at 3
    assert result.multiple is False  # 0.25 < k = 1/3


def test_missing_answers_are_left_out_not_counted_as_low():
    # A=3, B=1, C=2, D unanswered: (6 − 3) / 6 × 100 = 50, 75 % complete.
    result = score({"A": 3, "B": 1, "C": 2}, SPECS, PARAMS)
    assert result.index == 50.0
    assert result.completeness == 0.75
    assert result.domain_scores == {"health": 50.0, "education": 50.0}
    assert result.deprivation_share == pytest.approx(1 / 3, abs=1e-4)
    assert result.multiple is True  # 1/3 ≥ k


def test_an_incomplete_assessment_gets_no_band():
    result = score({"A": 3}, SPECS, PARAMS)  # 1 of 4 = 25 % < 50 %
    assert result.index == 100.0
    assert result.band == "incomplete"
    assert result.multiple is False
    assert result.domain_scores == {"health": 100.0, "education": None}


def test_band_edges():
    assert score({"A": 1, "B": 1, "C": 1, "D": 1}, SPECS, PARAMS).band == "low"  # 0
    # 34 exactly is medium; 66 is still medium; above 66 is high.
    assert Parameters().medium_from == 34 and Parameters().high_above == 66
    assert score({"A": 3, "B": 3, "C": 3, "D": 2}, SPECS, PARAMS).index == 87.5
    assert score({"A": 3, "B": 3, "C": 3, "D": 2}, SPECS, PARAMS).band == "high"
    assert score({"A": 2, "B": 2, "C": 2, "D": 3}, SPECS, PARAMS).index == 62.5
    assert score({"A": 2, "B": 2, "C": 2, "D": 3}, SPECS, PARAMS).band == "medium"


def test_weights_decide_multiple_vulnerability():
    weighted = [IndicatorSpec("A", "health", "I", "S", weight=3), *SPECS[1:]]
    # Only A at 3, but A weighs 3 of 6: share 0.5 ≥ 1/3.
    result = score({"A": 3, "B": 1, "C": 1, "D": 1}, weighted, PARAMS)
    assert result.deprivation_share == 0.5
    assert result.multiple is True


def test_alkire_foster_for_a_small_area():
    specs = [
        IndicatorSpec("a", "x", "I", "S", 1),
        IndicatorSpec("b", "x", "I", "S", 1),
        IndicatorSpec("c", "x", "I", "S", 2),
    ]
    people = [
        {"a": 3, "b": 3, "c": 1},  # share 2/4 = 0.5 → multiply vulnerable at k = 0.5
        {"a": 1, "b": 1, "c": 3},  # share 2/4 = 0.5 → multiply vulnerable
        {"a": 3, "b": 1, "c": 1},  # share 1/4
        {"a": 1, "b": 1, "c": 1},  # share 0
    ]
    result = alkire_foster(people, specs, k=0.5)
    assert (result.n, result.q) == (4, 2)
    assert result.H == 0.5
    assert result.A == 0.5
    assert result.M0 == 0.25
    assert result.contributions == {"a": 0.25, "b": 0.25, "c": 0.5}


def test_alkire_foster_on_nobody_is_zero():
    result = alkire_foster([], SPECS, k=1 / 3)
    assert (result.H, result.A, result.M0, result.contributions) == (0.0, 0.0, 0.0, {})


def _assessed(scores):
    return score(scores, SPECS, PARAMS), scores


def test_a_trigger_newly_at_3_warns_once():
    params = Parameters(index_rise=30)  # so that only the trigger rule can fire here
    before = _assessed({"A": 2, "B": 1, "C": 2, "D": 2})  # 37.5, medium
    after = _assessed({"A": 2, "B": 3, "C": 2, "D": 2})  # 62.5, still medium
    reasons = warnings(previous=before, current=after, trigger_codes=["B"], params=params)
    assert [r.rule for r in reasons] == ["trigger_newly_3"]
    assert reasons[0].detail == {"indicators": ["B"]}
    again = _assessed({"A": 2, "B": 3, "C": 2, "D": 2})
    assert warnings(previous=after, current=again, trigger_codes=["B"], params=params) == []


def test_a_first_assessment_is_a_baseline_unless_the_catalogue_says_otherwise():
    first = _assessed({"A": 3, "B": 3, "C": 3, "D": 3})
    assert warnings(previous=None, current=first, trigger_codes=["B"], params=PARAMS) == []
    eager = Parameters(first_assessment_triggers=True)
    reasons = warnings(previous=None, current=first, trigger_codes=["B"], params=eager)
    assert [r.rule for r in reasons] == ["trigger_newly_3"]


def test_a_band_rise_and_a_sharp_index_rise():
    low = _assessed({"A": 1, "B": 1, "C": 2, "D": 1})  # 12.5, low
    high = _assessed({"A": 3, "B": 1, "C": 3, "D": 3})  # 75, high
    rules = {r.rule: r.detail for r in warnings(previous=low, current=high, trigger_codes=[], params=PARAMS)}
    assert rules == {
        "band_rise": {"from": "low", "to": "high"},
        "index_rise": {"from": 12.5, "to": 75.0, "rise": 62.5},
    }


def test_a_small_rise_within_a_band_does_not_warn():
    a = _assessed({"A": 2, "B": 1, "C": 2, "D": 2})  # 37.5 medium
    b = _assessed({"A": 2, "B": 2, "C": 2, "D": 2})  # 50 medium, +12.5
    assert warnings(previous=a, current=b, trigger_codes=[], params=PARAMS) == []


def test_changes_list_the_indicators_that_moved_biggest_first():
    assert changes({"A": 1, "B": 2, "C": 2}, {"A": 3, "B": 2, "D": 1}) == [
        {"code": "A", "from": 1, "to": 3},
        {"code": "C", "from": 2, "to": None},
        {"code": "D", "from": None, "to": 1},
    ]


def _score_one_indicator_at_a_time(scores, specs, params):
    """The scoring rules written out plainly, one indicator at a time: what Scorer's faster arithmetic
    must reproduce exactly."""
    answered = total = count_3 = 0
    answered_weight = deprived_weight = 0.0
    sums: dict[str, int] = {}
    counts: dict[str, int] = {}
    for spec in specs:
        sums.setdefault(spec.domain, 0)
        counts.setdefault(spec.domain, 0)
        value = scores.get(spec.code)
        if value is None:
            continue
        answered += 1
        total += value
        answered_weight += spec.weight
        sums[spec.domain] += value
        counts[spec.domain] += 1
        if value == 3:
            count_3 += 1
            deprived_weight += spec.weight
    completeness = round(answered / len(specs), 4)
    index = round((total - answered) / (2 * answered) * 100, 2) if answered else None
    share = deprived_weight / answered_weight if answered_weight else 0.0
    band = band_of(index, completeness, params)
    domains = {
        d: round((sums[d] - counts[d]) / (2 * counts[d]) * 100, 2) if counts[d] else None for d in sums
    }
    multiple = band != INCOMPLETE and share > 0 and share >= params.k - 1e-9
    return (index, band, completeness, domains, count_3, round(share, 4), multiple)


@pytest.mark.parametrize(
    "weights",
    [[1.0], [1.0, 2.0, 3.0], [0.1, 0.7, 1.3, 2.0]],
    ids=["all weights 1", "whole-number weights", "fractional weights"],
)
def test_the_scorer_gives_exactly_what_scoring_one_indicator_at_a_time_gives(weights):
    rng = random.Random(7)
    domains = ["health", "education", "family", "work", "place"]
    specs = [
        IndicatorSpec(f"X-{n:02d}", rng.choice(domains), rng.choice("IH"), "S", weight=rng.choice(weights))
        for n in range(25)
    ]
    params = Parameters(k=0.3)
    scorer = Scorer(specs, params)
    for _ in range(3000):
        answered = rng.random()
        scores = {s.code: rng.choice((1, 2, 3)) for s in specs if rng.random() < answered}
        got = scorer(scores)
        assert (
            got.index,
            got.band,
            got.completeness,
            got.domain_scores,
            got.count_3,
            got.deprivation_share,
            got.multiple,
        ) == _score_one_indicator_at_a_time(scores, specs, params), scores
        assert got.answered == len(scores)


def test_the_scorer_refuses_a_score_outside_1_to_3_and_a_sheet_of_the_wrong_shape():
    specs = [IndicatorSpec("A", "health", "I", "S"), IndicatorSpec("B", "work", "I", "S")]
    scorer = Scorer(specs, Parameters())
    assert scorer.sheet({"B": 3}) == "03"
    assert scorer.score_sheet("03").index == 100.0
    with pytest.raises(ValueError, match="1, 2 or 3"):
        scorer({"A": 4})
    for wrong in ("3", "031", "04"):
        with pytest.raises(ValueError, match="answer sheet"):
            scorer.score_sheet(wrong)
