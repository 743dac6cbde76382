"""The child rule and the adult rule (Palermo Protocol), with their reasoning."""

import pytest

from safepassage.cases.screening import Outcome, screen


def test_child_rule_act_and_exploitation_is_trafficking_whatever_the_means():
    result = screen(age=15, acts=["recruitment"], purposes=["sexual"])
    assert result.outcome == Outcome.TRAFFICKING
    assert result.child is True
    assert any("child rule" in line for line in result.reasoning)
    assert any("whatever the means" in line for line in result.reasoning)


def test_seventeen_is_still_a_child_and_eighteen_is_not():
    assert screen(age=17, acts=["transport"], purposes=["forced_labour"]).outcome == Outcome.TRAFFICKING
    adult = screen(age=18, acts=["transport"], purposes=["forced_labour"])
    assert adult.outcome == Outcome.LABOUR
    assert any("Missing for trafficking: a means" in line for line in adult.reasoning)


def test_adult_rule_needs_act_means_and_exploitation():
    full = screen(age=30, acts=["recruitment"], means=["deception"], purposes=["forced_labour"])
    assert full.outcome == Outcome.TRAFFICKING
    assert any("Act, means and exploitation" in line for line in full.reasoning)
    no_act = screen(age=30, means=["deception"], purposes=["forced_labour"])
    assert no_act.outcome == Outcome.LABOUR
    assert any("an act" in line for line in no_act.reasoning)


def test_unknown_age_applies_the_adult_rule_and_says_so():
    result = screen(age=None, acts=["recruitment"], purposes=["sexual"])
    assert result.outcome == Outcome.LABOUR
    assert result.child is None
    assert "record the age" in result.reasoning[0]


def test_labour_issues_alone_go_to_the_labour_track():
    result = screen(age=25, labour_issues=["irregular_deposit", "unpaid_wages"])
    assert result.outcome == Outcome.LABOUR
    assert any("Irregular deposit" in line for line in result.reasoning)


def test_nothing_recorded_and_too_little_recorded():
    assert screen(age=25).outcome == Outcome.NOT_INDICATED
    assert screen(age=12, acts=["recruitment"]).outcome == Outcome.INCOMPLETE


def test_unknown_code_is_refused_by_name():
    with pytest.raises(ValueError, match="means: unknown magic"):
        screen(age=20, means=["magic"])
