"""The cell-key method: the same cell always gets the same value, the noise follows the table, small counts
never show, and subtracting two tables recovers a hidden cell only as often as the table allows."""

import random
from collections import Counter

import pytest

from safepassage.core import disclosure as d


def test_the_same_records_get_the_same_value_however_the_cell_is_reached():
    rng = random.Random(1)
    keys = [rng.randrange(d.KEY_SPACE) for _ in range(40)]
    direct = d.shown_count(len(keys), sum(keys))
    # The same 40 people summed village by village: the key sums add up to the same cell key.
    by_village = sum(keys[:13]) + sum(keys[13:29]) + sum(keys[29:])
    assert d.shown_count(40, by_village) == direct
    assert d.perturbed_mean(40 * 37.5, 40, by_village, span=100) == d.perturbed_mean(
        40 * 37.5, 40, sum(keys), span=100
    )


def test_noise_follows_the_table():
    rng = random.Random(2)
    noise = Counter(d.count_noise(50, rng.randrange(d.KEY_SPACE)) for _ in range(40_000))
    for value, weight in zip(d.NOISE, d.WEIGHTS, strict=True):
        assert noise[value] / 40_000 == pytest.approx(weight, abs=0.01)


@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_non_empty_cell_never_becomes_empty_and_an_empty_one_stays_empty(count):
    rng = random.Random(count)
    assert all(d.perturbed_count(count, rng.randrange(d.KEY_SPACE)) >= 1 for _ in range(2000))
    assert d.perturbed_count(0, rng.randrange(d.KEY_SPACE)) == 0
    assert str(d.shown_count(0, 123)) == "0"


def test_counts_under_eleven_after_perturbation_show_as_small():
    rng = random.Random(3)
    for count in range(1, 16):
        for _ in range(200):
            shown = d.shown_count(count, rng.randrange(d.KEY_SPACE))
            assert shown.small or (shown.value is not None and shown.value >= d.THRESHOLD)
            published = shown.as_json()
            assert published == "<11" or (isinstance(published, int) and published >= 11)


def test_a_mean_is_withheld_on_a_small_cell_and_never_exact_by_subtraction_more_than_the_table_allows():
    rng = random.Random(4)
    assert d.perturbed_mean(10 * 50.0, 10, rng.randrange(d.KEY_SPACE), span=100) is None
    # An attacker asks for a cell of 30 people and the same cell with one more person (index 100).
    exact = 0
    trials = 5000
    for _ in range(trials):
        keys = [rng.randrange(d.KEY_SPACE) for _ in range(31)]
        values = [rng.uniform(0, 60) for _ in range(30)]
        before = d.perturbed_mean(sum(values), 30, sum(keys[:30]), span=100)
        after = d.perturbed_mean(sum(values) + 100.0, 31, sum(keys), span=100)
        n_before = d.shown_count(30, sum(keys[:30])).value
        n_after = d.shown_count(31, sum(keys)).value
        assert before is not None and after is not None and n_before is not None and n_after is not None
        guess = after * n_after - before * n_before  # what subtraction says the added person scores
        exact += abs(guess - 100.0) < 1.0
    # The guess is right (to a point) only when both counts and both means drew no noise at all.
    assert exact / trials <= d.DIFFERENCE_EXACT_RATE**2 + 0.02


def test_a_count_differenced_from_two_tables_is_exact_only_as_often_as_the_table_says():
    rng = random.Random(5)
    exact = 0
    trials = 20_000
    for _ in range(trials):
        keys = [rng.randrange(d.KEY_SPACE) for _ in range(60)]
        total = d.perturbed_count(60, sum(keys))  # the village
        part = d.perturbed_count(59, sum(keys[:59]))  # the village less the one hidden person
        exact += total - part == 1
    assert d.DIFFERENCE_EXACT_RATE == 0.195
    assert exact / trials == pytest.approx(d.DIFFERENCE_EXACT_RATE, abs=0.015)
