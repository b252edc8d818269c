"""The protocol checks: each rule of the table with a copy that passes and one that fails."""

import pytest

from incidents.results import checks

#: a station's figures that satisfy every rule
GOOD = {
    "registered": 1500,
    "received": 1200,
    "issued": 1010,
    "cast": 1000,
    "invalid": 50,
    "valid": 950,
    checks.PARTIES: 950,
}

# (rule, the rule in words, figures that break it)
CASES = [
    ("votes_and_invalid_make_cast", "party votes + invalid = cast", {checks.PARTIES: 940}),
    ("valid_and_invalid_make_cast", "valid + invalid = cast", {"valid": 960, checks.PARTIES: 960, "invalid": 50}),
    ("votes_make_valid", "party votes = valid", {"valid": 900}),
    ("cast_within_issued", "cast ≤ issued", {"issued": 999}),
    ("issued_within_received", "issued ≤ received", {"received": 1009}),
    ("turnout_within_possible", "cast ≤ registered: turnout at most 100%", {"registered": 999}),
    ("issued_within_registered", "issued ≤ registered", {"registered": 1005}),
]


def outcome(code, figures):
    (rule,) = [rule for rule in checks.CHECKS if rule.code == code]
    (result,) = checks.evaluate([rule], figures)
    return result["passed"]


def test_every_rule_of_the_table_has_its_case():
    assert sorted(code for code, _, _ in CASES) == sorted(rule.code for rule in checks.CHECKS)


@pytest.mark.parametrize(("code", "rule_in_words", "broken"), CASES)
def test_rule_passes_a_copy_that_adds_up_and_fails_one_that_does_not(code, rule_in_words, broken):
    assert outcome(code, GOOD), rule_in_words
    assert not outcome(code, {**GOOD, **broken}), rule_in_words


def test_equal_is_within():
    # cast = issued = registered: every ballot used, turnout 100%, still possible
    assert outcome("cast_within_issued", {**GOOD, "issued": 1000})
    assert outcome("turnout_within_possible", {**GOOD, "registered": 1000})


def test_a_rule_applies_only_where_the_protocol_has_its_lines():
    codes = {rule.code for rule in checks.rules_for(["cast", "invalid"])}
    assert codes == {"votes_and_invalid_make_cast"}
    assert not checks.rules_for(["cast", "invalid"], has_parties=False)


def test_a_missing_figure_leaves_its_rules_out():
    results = checks.evaluate(checks.CHECKS, {**GOOD, "received": None})
    assert "issued_within_received" not in {result["rule"] for result in results}
    assert len(results) == len(checks.CHECKS) - 1


def test_failures_name_the_broken_rules():
    results = checks.evaluate(checks.CHECKS, {**GOOD, "issued": 999})
    assert [rule.code for rule in checks.failures(results)] == ["cast_within_issued"]


def test_docs_list_every_rule_with_its_formula():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "pvt.md").read_text("utf-8")
    for rule in checks.CHECKS:
        assert f"`{rule.code}`" in text and f"`{rule.formula}`" in text, rule.code
