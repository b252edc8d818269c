"""The checks of a protocol copy, as one table: copying errors and impossible counts.

Each rule compares two sums of protocol lines, named by their role (``LineRole``),
with ``PARTIES`` the sum of the votes of all the election's parties. A rule applies
to an election when the election's protocol has every line it names, so each
election's table is this one, cut to its own sheet (``rules_for``). The observer's
form, the filing service and docs/pvt.md all read this table; nothing else
decides what adds up.

Apollo's "quality assurance" checks are the model (https://github.com/nditech/apollo).
"""

import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

#: the sum of every party's votes, as a term of a rule
PARTIES = "parties"

OPERATORS = {"=": operator.eq, "≤": operator.le}


@dataclass(frozen=True)
class Rule:
    code: str
    left: tuple[str, ...]
    relation: str
    right: tuple[str, ...]
    description: str

    @property
    def terms(self):
        return {*self.left, *self.right}

    @property
    def formula(self):
        return f"{' + '.join(self.left)} {self.relation} {' + '.join(self.right)}"


CHECKS = (
    Rule(
        "votes_and_invalid_make_cast",
        (PARTIES, "invalid"),
        "=",
        ("cast",),
        _("The votes of all parties and the invalid ballots add up to the ballots cast."),
    ),
    Rule(
        "valid_and_invalid_make_cast",
        ("valid", "invalid"),
        "=",
        ("cast",),
        _("Valid and invalid ballots add up to the ballots cast."),
    ),
    Rule(
        "votes_make_valid",
        (PARTIES,),
        "=",
        ("valid",),
        _("The votes of all parties add up to the valid ballots."),
    ),
    Rule("cast_within_issued", ("cast",), "≤", ("issued",), _("No more ballots cast than issued.")),
    Rule("issued_within_received", ("issued",), "≤", ("received",), _("No more ballots issued than received.")),
    Rule(
        "turnout_within_possible",
        ("cast",),
        "≤",
        ("registered",),
        _("Turnout is possible: no more ballots cast than registered voters."),
    ),
    Rule(
        "issued_within_registered",
        ("issued",),
        "≤",
        ("registered",),
        _("No more ballots issued than registered voters."),
    ),
)


def rules_for(roles: Iterable[str], *, has_parties: bool = True) -> tuple[Rule, ...]:
    """The rules that apply to a protocol whose lines have these roles."""
    present = set(roles) | ({PARTIES} if has_parties else set())
    return tuple(rule for rule in CHECKS if rule.terms <= present)


def evaluate(rules: Iterable[Rule], figures: Mapping[str, int]) -> list[dict]:
    """Each rule's outcome on ``figures`` (role → number, with PARTIES the sum of the party votes).

    Returns ``[{"rule", "passed", "left", "right"}]`` in the table's order; a rule one of whose
    figures is missing is left out (nothing to compare).
    """
    results = []
    for rule in rules:
        if any(figures.get(term) is None for term in rule.terms):
            continue
        left = sum(figures[term] for term in rule.left)
        right = sum(figures[term] for term in rule.right)
        results.append(
            {"rule": rule.code, "passed": OPERATORS[rule.relation](left, right), "left": left, "right": right}
        )
    return results


def failures(results: Iterable[dict]) -> list[Rule]:
    """The rules that failed, for a message ("these figures do not add up")."""
    by_code = {rule.code: rule for rule in CHECKS}
    return [by_code[result["rule"]] for result in results if not result["passed"]]
