"""Bulk recording's own text formats (its behaviour is tested beside recording one at a time)."""

import json
import random
from datetime import date

from safepassage.registry.bulk import _copy_line, _Spelling
from safepassage.registry.scoring import IndicatorSpec, Parameters, Scorer
from safepassage.registry.services import answers_text


def test_an_assessment_row_in_copy_text_escapes_what_copy_would_misread():
    identity = (7, 8, 9, False, 1, date(2026, 5, 1), None, "survey")
    scores = ('{"A\\\\B": 1}', "ab12", None, "low", 0.5, '{"x\ty": null}', 0, 1 / 3, True, "1020", "a_1,b-2")
    row = (*identity, *scores)
    assert _copy_line(42, row, "2026-05-01T00:00:00+00:00") == (
        "42\t7\t8\t9\tf\t1\t2026-05-01\t\\N\tsurvey\t"
        '{"A\\\\\\\\B": 1}\tab12\t\\N\tlow\t0.5\t{"x\\ty": null}\t0\t0.3333333333333333\tt\t1020\t'
        "a_1,b-2\t2026-05-01T00:00:00+00:00\n"
    )


def test_answers_and_domain_scores_are_spelled_as_the_fingerprint_and_json_spell_them_one_at_a_time():
    rng = random.Random(5)
    codes = ["B-2", "A_1", "c.3", "Z", "AA", "a"]  # (not in domain order, nor in any case order)
    for size in (0, 1, 2, len(codes)):
        specs = [IndicatorSpec(code, rng.choice("xyz"), "I", "S") for code in codes[:size]]
        scorer = Scorer(specs, Parameters())
        spelling = _Spelling(scorer)
        for _ in range(200):
            scores = {s.code: rng.choice((1, 2, 3)) for s in specs if rng.random() < 0.6}
            sheet = scorer.sheet(scores)
            assert spelling.answers(sheet) == (
                answers_text(scores),
                json.dumps(dict(sorted(scores.items()))),
            ), scores
            assert spelling.domains(sheet) == json.dumps(scorer.score_sheet(sheet).domain_scores), scores
