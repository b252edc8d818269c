"""Election forensics over station-level results: pure functions over plain numbers.

Every function takes arrays (or lists) of per-station counts — registered
voters, ballots cast, valid votes, votes of a party — and returns figures;
none reads the database, so the pages, the API, the CSV exports and the
benchmark call the same code on the same numbers (docs/forensics.md has a
worked example of each).

What each analysis can and cannot show is in ``EXPLANATIONS``, in words a
journalist can quote. The short version: each is a statistical signal that
the published numbers are unlike those of an ordinary count, never proof of
fraud at any station.

Sources:
- Klimek, Yegorov, Hanel, Thurner, "Statistical detection of systematic
  election irregularities", PNAS 109 (41), 2012 — the fingerprint.
- Kobak, Shpilkin, Pshenichnikov, "Integer percentages as electoral
  falsification fingerprints", Annals of Applied Statistics 10 (1), 2016 —
  whole percentages.
- Mebane, "Election forensics: vote counts and Benford's law", 2006, and
  "Election Forensics Toolkit" — the second-digit test.
"""

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _
from scipy import stats

#: stations whose denominator (registered voters, valid votes) is smaller cannot tell a whole percentage from chance
MIN_DENOMINATOR = 100
#: up to this many stations the whole-percentage p-value is exact (Poisson-binomial); above it, normal
EXACT_LIMIT = 3000
#: counts below this have no second digit
MIN_COUNT = 10
#: fewer usable counts than this and the second-digit test is not run (each expected cell then holds 8 or more)
MIN_COUNTS_FOR_TEST = 100
#: turnout and share both above this (percent) make a station "extreme"
EXTREME_PERCENT = 95.0
#: the fingerprint's "corner": turnout and share both at or above this (percent)
CORNER_PERCENT = 80.0
#: the p-value under which a test is reported as a signal
SIGNIFICANCE = 0.05

#: Benford's law for the second significant digit d = 0…9:
#: q_d = Σ_{k=1}^{9} log10(1 + 1/(10k + d))   (Mebane 2006, eq. 1; Nigrini 2012)
BENFORD_SECOND_DIGIT = np.array([sum(np.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)])


def as_array(values):
    return np.asarray(values, dtype=np.int64)


def percentages(part, whole):
    """100·part/whole per station, NaN where ``whole`` is 0.

    >>> percentages([50, 3], [100, 0]).tolist()
    [50.0, nan]
    """
    part = np.asarray(part, dtype=np.float64)
    whole = np.asarray(whole, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, 100.0 * part / np.where(whole > 0, whole, 1), np.nan)


# Fingerprint (Klimek et al. 2012) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    """Voters per cell of turnout (rows) × share (columns), both 0–100% in ``bin_width`` steps."""

    bin_width: float
    #: ``counts[i][j]``: voters of stations with turnout in bin i and share in bin j
    counts: np.ndarray
    total: float
    #: fraction of all voters in stations with turnout and share both ≥ ``corner`` percent
    corner_fraction: float
    corner: float
    stations: int

    @property
    def bins(self):
        return self.counts.shape[0]


def fingerprint(turnout, share, weights, *, bin_width=2.0, corner=CORNER_PERCENT):
    """The election fingerprint: a 2-D histogram of turnout against a party's share, weighted by voters.

    Each station adds its ``weights`` (its voters: ballots cast) to the cell
    of its turnout and its share of the valid vote. A fair count makes one
    or a few round clouds; ballot stuffing and written-in results smear the
    cloud toward the corner where both are 100% (Klimek et al. 2012, fig. 1;
    Kobak et al. 2016, fig. 1). The 100% edge belongs to the last bin.
    Stations without a turnout or a share (NaN) are left out.
    ``corner_fraction`` is the share of all voters at or beyond ``corner`` on
    both axes.
    """
    turnout = np.asarray(turnout, dtype=np.float64)
    share = np.asarray(share, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    known = ~(np.isnan(turnout) | np.isnan(share))
    turnout, share, weights = turnout[known], share[known], weights[known]
    bins = round(100 / bin_width)
    edges = np.linspace(0, 100, bins + 1)
    counts, _x, _y = np.histogram2d(turnout, share, bins=[edges, edges], weights=weights)
    total = float(weights.sum())
    in_corner = (turnout >= corner) & (share >= corner)
    corner_fraction = float(weights[in_corner].sum() / total) if total else 0.0
    return Fingerprint(
        bin_width=bin_width,
        counts=counts,
        total=total,
        corner_fraction=corner_fraction,
        corner=corner,
        stations=int(known.sum()),
    )


# Histograms --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Histogram:
    """Stations per bin of a percentage; bin i is centred on ``i·bin_width`` (0, 0.2, …, 100)."""

    bin_width: float
    centres: np.ndarray
    counts: np.ndarray

    @property
    def whole(self):
        """Whether each bin is centred on a whole percentage."""
        return np.isclose(self.centres, np.round(self.centres))


def histogram(values, *, bin_width=0.2):
    """Stations per bin of width ``bin_width`` centred on its multiples from 0 to 100.

    Centred bins put each whole percentage in the middle of a bin of its
    own, so that peaks at 60%, 70%, 80% show as spikes (Kobak et al. 2016,
    fig. 2 uses 0.1% bins). NaN values are left out.
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    bins = round(100 / bin_width)
    edges = (np.arange(bins + 2) - 0.5) * bin_width
    counts, _edges = np.histogram(values, bins=edges)
    return Histogram(bin_width=bin_width, centres=np.arange(bins + 1) * bin_width, counts=counts)


# Whole percentages (Kobak, Shpilkin, Pshenichnikov 2016) -----------------------------------------------------------


def nearest_whole_percent(part, whole):
    """The whole percentage k nearest to 100·part/whole (ties upward), in integers only."""
    part, whole = as_array(part), as_array(whole)
    return (200 * part + whole) // (2 * np.maximum(whole, 1))


def is_whole_percentage(part, whole):
    """Whether ``part`` of ``whole`` is as close to a whole percentage as a count can be.

    A count x of n can only be a multiple of 100/n percent, so "exactly 62%"
    means x is the count nearest to 0.62·n: x = ⌊k·n/100 + ½⌋ for the whole
    percentage k nearest to 100·x/n. In integers: k = ⌊(200x + n) / 2n⌋ and
    x = ⌊(2kn + 100) / 200⌋.

    >>> is_whole_percentage([620, 621, 1], [1000, 1000, 3]).tolist()
    [True, False, True]

    (1 of 3 is the count nearest to 33% of 3: in small stations every count
    is "whole", which is why the test leaves them out.)
    """
    part, whole = as_array(part), as_array(whole)
    k = nearest_whole_percent(part, whole)
    return part == (2 * k * whole + 100) // 200


def whole_percentage_probability(whole):
    """The chance that a count of ``whole`` lands on a whole percentage, for n ≥ 100.

    Under the null hypothesis the count x is locally uniform: over any 1%
    of its range (n/100 counts, at least one) the true figure is as likely
    to fall on one count as on its neighbour, because turnout and shares
    vary across stations by far more than 1%. Exactly one count in each
    1% step is "whole", so with 0% and 100% left out (x in 1…n−1, where
    k = 1…99 are whole) the probability is 99/(n − 1). For n = 100 every
    count is whole (p = 1) and the station tells nothing; for n = 1000,
    p = 99/999 ≈ 0.099.
    """
    whole = np.asarray(whole, dtype=np.float64)
    return np.minimum(1.0, 99.0 / np.maximum(whole - 1, 1))


def poisson_binomial_sf(observed, probabilities):
    """P(S ≥ observed) where S is a sum of independent Bernoulli(p_i).

    Exact (the distribution built station by station, O(N²)) up to
    ``EXACT_LIMIT`` stations; above, the normal approximation with mean
    Σp_i, variance Σp_i(1 − p_i) and a continuity correction (Lyapunov's
    central limit theorem: with thousands of stations the variance is in the
    hundreds and the error is far below the p-values reported).
    Returns ``(p_value, method)``.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if observed <= 0:
        return 1.0, "exact"
    if len(probabilities) <= EXACT_LIMIT:
        distribution = np.ones(1)
        for p in probabilities:
            step = np.empty(len(distribution) + 1)
            step[:-1] = distribution * (1 - p)
            step[-1] = 0.0
            step[1:] += distribution * p
            distribution = step
        return float(min(1.0, distribution[observed:].sum())), "exact"
    mean = probabilities.sum()
    sd = np.sqrt((probabilities * (1 - probabilities)).sum())
    if sd == 0:
        return (1.0 if observed <= mean else 0.0), "normal"
    return float(stats.norm.sf((observed - 0.5 - mean) / sd)), "normal"


@dataclass(frozen=True)
class WholePercentTest:
    """How many stations sit on a whole percentage, against how many would by chance."""

    stations: int
    observed: int
    expected: float
    sd: float
    p_value: float
    method: str

    @property
    def excess(self):
        return self.observed - self.expected

    @property
    def signal(self):
        return self.stations > 0 and self.p_value < SIGNIFICANCE


def whole_percentage_test(part, whole, *, min_denominator=MIN_DENOMINATOR):
    """Count stations at a whole percentage and test that count against chance.

    Stations with a denominator below ``min_denominator`` and those at 0% or
    100% are left out (see ``whole_percentage_probability``). The count S of
    the rest is, with no written-in figures, a sum of independent
    Bernoulli(p_i = 99/(n_i − 1)); the p-value is P(S ≥ observed), exact or
    normal (``poisson_binomial_sf``). Kobak et al. (2016) reach the same
    expectation by Monte Carlo (redrawing each station's count); this exact
    form needs no random numbers, so a page always shows the same figure.

    Worked example: n = (1000, 1000, 200), x = (620, 333, 50):
    620/1000 = 62% and 50/200 = 25% are whole, 33.3% is not: observed 2;
    expected 99/999 + 99/999 + 99/199 = 0.6957.
    """
    part, whole = as_array(part), as_array(whole)
    used = (whole >= min_denominator) & (part > 0) & (part < whole)
    part, whole = part[used], whole[used]
    probabilities = whole_percentage_probability(whole)
    observed = int(is_whole_percentage(part, whole).sum())
    p_value, method = poisson_binomial_sf(observed, probabilities)
    return WholePercentTest(
        stations=int(used.sum()),
        observed=observed,
        expected=float(probabilities.sum()),
        sd=float(np.sqrt((probabilities * (1 - probabilities)).sum())),
        p_value=p_value,
        method=method,
    )


# Second digits (Mebane) --------------------------------------------------------------------------------------------


def second_digits(counts):
    """The second significant digit of each count (counts must be ≥ 10)."""
    counts = as_array(counts).copy()
    while (big := counts >= 100).any():
        counts[big] //= 10
    return counts % 10


@dataclass(frozen=True)
class SecondDigitTest:
    """Second digits of vote counts against Benford's second-digit law."""

    counts_used: int
    observed: np.ndarray
    expected: np.ndarray
    chi2: float | None
    p_value: float | None
    mean: float | None
    expected_mean: float = float((np.arange(10) * BENFORD_SECOND_DIGIT).sum())

    @property
    def enough(self):
        return self.chi2 is not None

    @property
    def signal(self):
        return self.enough and self.p_value < SIGNIFICANCE


def second_digit_test(counts, *, min_count=MIN_COUNT, min_counts=MIN_COUNTS_FOR_TEST):
    """Pearson's chi-square of the counts' second digits against Benford's law (9 degrees of freedom).

    χ² = Σ_d (O_d − N·q_d)² / (N·q_d), d = 0…9, with q_d of
    ``BENFORD_SECOND_DIGIT`` and N the counts of at least ``min_count``;
    p = P(χ²₉ ≥ χ²). Mebane (2006) also reports the mean second digit,
    4.187 under the law. With fewer than ``min_counts`` usable counts the
    test is not run (chi2, p_value and mean are None).
    """
    counts = as_array(counts)
    counts = counts[counts >= min_count]
    observed = np.bincount(second_digits(counts), minlength=10) if len(counts) else np.zeros(10, dtype=np.int64)
    used = int(observed.sum())
    expected = BENFORD_SECOND_DIGIT * used
    if used < min_counts:
        return SecondDigitTest(
            counts_used=used, observed=observed, expected=expected, chi2=None, p_value=None, mean=None
        )
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return SecondDigitTest(
        counts_used=used,
        observed=observed,
        expected=expected,
        chi2=chi2,
        p_value=float(stats.chi2.sf(chi2, df=9)),
        mean=float((np.arange(10) * observed).sum() / used),
    )


# Extremes and correlation ------------------------------------------------------------------------------------------


def extreme_stations(turnout, share, *, threshold=EXTREME_PERCENT):
    """Indices of the stations whose turnout and share are both above ``threshold`` percent."""
    turnout = np.nan_to_num(np.asarray(turnout, dtype=np.float64), nan=-1.0)
    share = np.nan_to_num(np.asarray(share, dtype=np.float64), nan=-1.0)
    return np.flatnonzero((turnout > threshold) & (share > threshold))


@dataclass(frozen=True)
class Correlation:
    stations: int
    pearson: float | None


def turnout_share_correlation(turnout, share):
    """Pearson's r of turnout and share across stations (each station counts once).

    r = Σ(t − t̄)(s − s̄) / √(Σ(t − t̄)² Σ(s − s̄)²). None with fewer than 3
    stations or when either does not vary.
    """
    turnout = np.asarray(turnout, dtype=np.float64)
    share = np.asarray(share, dtype=np.float64)
    known = ~(np.isnan(turnout) | np.isnan(share))
    turnout, share = turnout[known], share[known]
    if len(turnout) < 3 or turnout.std() == 0 or share.std() == 0:
        return Correlation(stations=len(turnout), pearson=None)
    return Correlation(stations=len(turnout), pearson=float(np.corrcoef(turnout, share)[0, 1]))


# All of it ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    stations: int
    turnout: np.ndarray
    share: np.ndarray
    fingerprint: Fingerprint
    turnout_histogram: Histogram
    share_histogram: Histogram
    whole_turnout: WholePercentTest
    whole_share: WholePercentTest
    second_digits: SecondDigitTest
    extremes: np.ndarray
    correlation: Correlation


def analyse(registered, ballots, valid, party_votes):
    """Every analysis for one party's votes (``party_votes``) across the given stations."""
    registered, ballots, valid, party_votes = (as_array(values) for values in (registered, ballots, valid, party_votes))
    turnout = percentages(ballots, registered)
    share = percentages(party_votes, valid)
    return Analysis(
        stations=len(registered),
        turnout=turnout,
        share=share,
        fingerprint=fingerprint(turnout, share, ballots),
        turnout_histogram=histogram(turnout),
        share_histogram=histogram(share),
        whole_turnout=whole_percentage_test(ballots, registered),
        whole_share=whole_percentage_test(party_votes, valid),
        second_digits=second_digit_test(party_votes),
        extremes=extreme_stations(turnout, share),
        correlation=turnout_share_correlation(turnout, share),
    )


#: what each analysis can show and what it cannot, for the pages, the API and the exports
EXPLANATIONS = {
    "fingerprint": {
        "title": _("Fingerprint: turnout against the party's share"),
        "shows": _(
            "Each polling station adds its voters to the cell of its turnout and of the party's share. "
            "An ordinary count makes one round cloud, or a few. A long tail toward 100% turnout and 100% "
            "for one party is what ballot stuffing and results written in without a count leave behind."
        ),
        "cannot": _(
            "It does not show which station was falsified, or that any was. Places where almost everyone "
            "votes the same way (closed institutions, some rural areas, strong local loyalties) can also "
            "sit in the corner. It is a statistical signal, not proof of fraud."
        ),
    },
    "whole_percent": {
        "title": _("Whole percentages"),
        "shows": _(
            "How many stations report a turnout or a share that is exactly a whole percentage (62.0%, not "
            "62.3%), against how many would by chance given each station's size. Figures decided in "
            "advance and written into the protocol tend to be round numbers."
        ),
        "cannot": _(
            "An excess says that some figures were probably chosen rather than counted, not which ones or by "
            "whom. A small excess can come from chance: read it with its p-value. It is a statistical signal, "
            "not proof of fraud."
        ),
    },
    "second_digit": {
        "title": _("Second-digit test"),
        "shows": _(
            "Compares the second digits of the party's vote counts at each station with Benford's law for "
            "second digits. Invented numbers often have second digits spread differently from counted ones."
        ),
        "cannot": _(
            "Honest counts depart from Benford's law too, depending on station sizes and how people vote; with "
            "tens of thousands of stations even a tiny departure gives a small p-value. A result either way "
            "proves nothing alone; it is a statistical signal, not proof of fraud."
        ),
    },
    "extremes": {
        "title": _("Stations at the extremes"),
        "shows": _(
            "The stations where both turnout and the party's share are above 95%: where to look first when "
            "checking protocols and observers' reports."
        ),
        "cannot": _(
            "Such results happen without fraud in small or unusual communities. Being on this list is not an "
            "accusation against a station's commission."
        ),
    },
    "correlation": {
        "title": _("Turnout and share move together"),
        "shows": _(
            "Pearson's correlation between turnout and the party's share across stations. Where extra "
            "ballots are added for one party, stations with higher turnout show a higher share, and the "
            "correlation is strongly positive."
        ),
        "cannot": _(
            "A party whose supporters are simply keener to vote also makes the correlation positive; a "
            "correlation is not a cause. It is a statistical signal, not proof of fraud."
        ),
    },
}
