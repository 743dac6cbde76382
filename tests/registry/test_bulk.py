"""Bulk recording's own text formats (its behaviour is tested beside recording one at a time)."""

from datetime import date

from safepassage.registry.bulk import _copy_line


def test_an_assessment_row_in_copy_text_escapes_what_copy_would_misread():
    identity = (7, 8, 9, False, 1, date(2026, 5, 1), None, "survey")
    scores = ('{"A\\\\B": 1}', "ab12", None, "low", 0.5, '{"x\ty": null}', 0, 1 / 3, True)
    row = (*identity, *scores)
    assert _copy_line(42, row, "2026-05-01T00:00:00+00:00") == (
        "42\t7\t8\t9\tf\t1\t2026-05-01\t\\N\tsurvey\t"
        '{"A\\\\\\\\B": 1}\tab12\t\\N\tlow\t0.5\t{"x\\ty": null}\t0\t0.3333333333333333\tt\t'
        "2026-05-01T00:00:00+00:00\n"
    )
