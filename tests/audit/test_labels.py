"""The audit page reads in words: every action code the code base writes has a label (its thing and its
verb both named), found by reading the source for every audit_record call and its wrappers."""

import ast
import re
from pathlib import Path

from django.apps import apps

import safepassage
from safepassage.audit.labels import action_label, has_label
from safepassage.cases.models import CaseAlert

SOURCE = Path(safepassage.__file__).parent
# functions that write an audit event, and where their action code is when given by position
WRITERS = {"audit_record": None, "_case_audit": 1, "_work_audit": 1}
MODELS = [
    m._meta.label_lower for m in apps.get_models() if m._meta.app_label in {p.name for p in SOURCE.iterdir()}
]
# the parts of codes made at run time, and every value they take
PLACEHOLDERS = {
    "{object_type}": MODELS,
    "{obj._meta.label_lower}": MODELS,
    "{report}": ["lessons", "migration", "risk"],  # (any name: a report is a report)
    "{to}": list(CaseAlert.Status.values),
}


def _codes(node: ast.AST) -> list[str]:
    if isinstance(node, ast.IfExp):
        return _codes(node.body) + _codes(node.orelse)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        codes = [""]
        for part in node.values:
            pieces = _codes(part.value) if isinstance(part, ast.FormattedValue) else _codes(part)
            if isinstance(part, ast.FormattedValue) and not isinstance(part.value, ast.IfExp | ast.Constant):
                pieces = ["{" + ast.unparse(part.value) + "}"]
            codes = [code + piece for code in codes for piece in pieces]
        return codes
    return [f"<not a code: {ast.unparse(node)}>"]


def written_actions() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in WRITERS:
                continue
            given = [kw.value for kw in node.keywords if kw.arg == "action"]
            position = WRITERS[name]
            if position is not None and len(node.args) > position:
                given.append(node.args[position])
            for value in given:
                if isinstance(value, ast.Name) and value.id == "action":
                    continue  # a wrapper passing its own argument on (its callers are read instead)
                found.update(_codes(value))
    expanded: set[str] = set()
    for code in found:
        hole = re.search(r"\{[^}]+\}", code)
        if hole and hole.group() in PLACEHOLDERS:
            expanded.update(code.replace(hole.group(), value) for value in PLACEHOLDERS[hole.group()])
        else:
            expanded.add(code)
    return expanded


def test_the_source_is_read_for_codes_of_every_kind():
    actions = written_actions()
    assert {
        "cases.case.update",
        "auth.login_failed",
        "cases.referral.reject",
        "registry.person.list",
    } <= actions
    assert "cases.alert.resolved" in actions and "reports.risk.request" in actions
    assert len(actions) > 100


def test_every_action_written_anywhere_has_a_label():
    unlabelled = sorted(code for code in written_actions() if not has_label(code))
    assert unlabelled == []


def test_labels_read_as_words():
    assert action_label("cases.intake.create") == "Report received: created"
    assert action_label("cases.case.list") == "Case: list read"
    assert action_label("auth.login_failed") == "Sign-in: sign-in failed"
    assert action_label("registry.person.view") == "Person: looked at"
    assert not has_label("cases.case.frobnicate") and not has_label("nowhere.thing.create")
