"""A parallel vote tabulation (PVT): the sample, its fingerprint and the estimate, as plain functions.

Nothing here touches the database: the functions take and return plain numbers and
strings, so the page, the API, the export, the commands and the tests all call the
same code. The formulas are written out in each docstring and, with a worked example
computed by hand, in ``docs/pvt.md``.

Sources:
- W. G. Cochran, *Sampling Techniques*, 3rd ed., Wiley 1977: §4.4 (sample size for a
  proportion, eq. 4.2), §5.5 (proportional allocation), §6.11–6.12 (the combined ratio
  estimate in stratified sampling and its variance, eqs. 6.41–6.43).
- S. L. Lohr, *Sampling: Design and Analysis*, 2nd ed., 2010: §4.1 (ratio estimation,
  eq. 4.10 for its variance with the finite-population correction), §4.5 (ratio
  estimation with stratified samples).
"""

import hashlib
import math
import operator
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

#: the normal quantile of a two-sided 95% interval
Z95 = 1.959963984540054


def sample_size(*, margin: float, population: int, spread: float = 0.5, z: float = Z95) -> int:
    """The number of stations to draw so that a share is known within ± ``margin`` (95% by default).

    Cochran (1977), eq. 4.2, with the finite-population correction::

        n0 = (z · S / e)²          n = n0 / (1 + (n0 − 1) / N)     (rounded up)

    where ``e`` is the wanted margin (0.02 for ±2 points), ``N`` the number of stations
    and ``S`` the standard deviation of the share from station to station. ``S = 0.5`` is
    the largest it can be (every station all for or all against), so the default is
    safe without any earlier result; with a past election's station results one can
    put the real spread (often 0.1–0.2) and draw far fewer stations.
    """
    if not 0 < margin < 1:
        raise ValueError("The margin is a share between 0 and 1, e.g. 0.02 for ±2 points.")
    if population < 1:
        raise ValueError("There must be at least one station.")
    if not 0 < spread <= 0.5:
        raise ValueError("The spread of a share is above 0 and at most 0.5.")
    initial = (z * spread / margin) ** 2
    return min(population, math.ceil(initial / (1 + (initial - 1) / population)))


def allocate(stratum_sizes: Mapping[Hashable, int], size: int, *, minimum: int = 2) -> dict:
    """Split a sample of ``size`` stations between strata in proportion to their sizes.

    Proportional allocation (Cochran §5.5): ``n_h = n · N_h / N``, rounded by the largest
    remainder (the fractions are handed out largest first, ties broken by the stratum's
    name) so that the parts add up to ``n``. Every stratum then gets at least
    ``minimum`` stations (two: a stratum's variance needs two), or all it has if it
    has fewer, so the total can exceed ``size`` when there are many small strata.
    """
    total = sum(stratum_sizes.values())
    if total == 0:
        return {}
    size = min(size, total)
    exact = {stratum: size * count / total for stratum, count in stratum_sizes.items()}
    shares = {stratum: math.floor(value) for stratum, value in exact.items()}
    left = size - sum(shares.values())
    by_remainder = sorted(exact, key=lambda stratum: (-(exact[stratum] - shares[stratum]), str(stratum)))
    for stratum in by_remainder[:left]:
        shares[stratum] += 1
    return {
        stratum: min(stratum_sizes[stratum], max(shares[stratum], minimum))
        for stratum in sorted(stratum_sizes, key=str)
        if stratum_sizes[stratum]
    }


def draw_key(seed: str, number: str) -> str:
    """The random key of one station in one draw: ``SHA-256(UTF-8(seed + "\\n" + number))`` in hex."""
    return hashlib.sha256(f"{seed}\n{number}".encode()).hexdigest()


def draw_sample(stations: Iterable[tuple[str, Hashable]], *, size: int, seed: str, minimum: int = 2) -> dict:
    """A stratified random sample of stations, the same every time for the same seed.

    ``stations`` are ``(number, stratum)`` pairs. Each stratum's share of ``size`` is
    given by :func:`allocate`; within a stratum the stations are ordered by their
    :func:`draw_key` (the SHA-256 of the seed and the station number) and the first
    ``n_h`` are taken. Ordering by a hash of a secret seed is a simple random sample
    without replacement in each stratum, and anyone who has the seed and the station
    list can repeat the draw with any SHA-256 tool, in any language.

    Returns ``{stratum: [numbers drawn, in draw order]}``.
    """
    by_stratum = defaultdict(list)
    for number, stratum in stations:
        by_stratum[stratum].append(str(number))
    shares = allocate({stratum: len(numbers) for stratum, numbers in by_stratum.items()}, size, minimum=minimum)
    seeded = hashlib.sha256(f"{seed}\n".encode())  # the common prefix of every key, hashed once

    def key(number):
        station = seeded.copy()
        station.update(number.encode())
        return station.digest(), number  # the bytes sort as their hex does

    return {stratum: sorted(by_stratum[stratum], key=key)[:share] for stratum, share in shares.items()}


def fingerprint(seed: str, numbers: Iterable[str]) -> str:
    """The SHA-256 fingerprint of a draw, published before election day.

    The bytes hashed are the UTF-8 encoding of::

        seed + "\\n" + number_1 + "\\n" + number_2 + "\\n" + … + number_n + "\\n"

    with the station numbers sorted as strings by Unicode code point (so "10" comes
    before "2"), each followed by one line feed (U+000A), no other spaces. In a shell::

        { printf '%s\\n' "$SEED"; sort -u numbers.txt; } | LC_ALL=C sha256sum

    (``LC_ALL=C sort`` orders by byte, which for UTF-8 is the code-point order). The seed
    stays secret until the polls close, so the fingerprint tells nobody which stations
    were drawn, yet it fixes the list: a list changed afterwards no longer matches.
    """
    ordered = sorted({str(number) for number in numbers})
    text = seed + "\n" + "".join(f"{number}\n" for number in ordered)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Estimate:
    """A ratio estimated from a sample. ``value`` is None when there are not enough data yet."""

    value: float | None
    standard_error: float | None
    low: float | None
    high: float | None
    reports: int
    #: strata with fewer than two reports (the estimate needs two in each)
    short_strata: tuple = field(default=())

    @property
    def enough(self):
        return self.value is not None

    @property
    def margin(self):
        return None if self.standard_error is None else self.high - self.low

    def contains(self, share):
        return self.enough and self.low <= share <= self.high


@dataclass(frozen=True)
class StratumMoments:
    """What the estimate needs of one stratum's reports: their number, means and centred sums of squares.

    ``syy = Σ(y − ȳ)²``, ``sxx = Σ(x − x̄)²``, ``sxy = Σ(y − ȳ)(x − x̄)``: with them
    ``Σ(d − d̄)² = syy − 2R·sxy + R²·sxx`` for any ratio R, so a stratum is read once and
    the country and each region are then combined from the same moments.
    """

    count: int
    mean_y: float
    mean_x: float
    syy: float
    sxx: float
    sxy: float


def stratum_moments(pairs: Iterable[tuple[float, float]]) -> StratumMoments:
    """The StratumMoments of a stratum's ``(y, x)`` reports (see :func:`moments_of_columns`)."""
    pairs = list(pairs)
    return moments_of_columns([y for y, _ in pairs], [x for _, x in pairs])


def moments_of_columns(ys: list, xs: list) -> StratumMoments:
    """The StratumMoments of a stratum whose reports are ``ys[i], xs[i]``.

    From the raw sums, ``syy = (n·Σy² − (Σy)²) / n`` and alike: with whole numbers (votes,
    ballots) the numerators are exact in Python's integers, so nothing cancels badly.
    """
    count = len(ys)
    if not count:
        return StratumMoments(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    sum_y, sum_x = sum(ys), sum(xs)
    syy = (count * sum(map(operator.mul, ys, ys)) - sum_y * sum_y) / count
    sxx = (count * sum(map(operator.mul, xs, xs)) - sum_x * sum_x) / count
    sxy = (count * sum(map(operator.mul, ys, xs)) - sum_y * sum_x) / count
    return StratumMoments(count, sum_y / count, sum_x / count, syy, sxx, sxy)


def ratio_estimate(
    reports: Iterable[tuple[Hashable, float, float]],
    stratum_sizes: Mapping[Hashable, int],
    *,
    z: float = Z95,
) -> Estimate:
    """The combined ratio estimate of Σy / Σx over the strata, its standard error and interval.

    ``reports`` are ``(stratum, y, x)`` for each sampled station that reported (y the
    votes of a party and x the valid votes, for a share; y the ballots cast and x the
    registered voters, for turnout); ``stratum_sizes`` the number of stations N_h in
    each stratum of the area estimated (a region: its strata only). Cochran §6.11,
    eqs. 6.41–6.43; Lohr §4.5::

        R̂ = Σ_h N_h ȳ_h / Σ_h N_h x̄_h
        d_hi = y_hi − R̂ · x_hi
        V̂(R̂) = (1 / X̂²) · Σ_h N_h² · (1 − n_h / N_h) · s²_dh / n_h,   X̂ = Σ_h N_h x̄_h
        s²_dh = Σ_i (d_hi − d̄_h)² / (n_h − 1)
        interval: R̂ ± z · √V̂  (z = 1.96 for 95%), kept within [0, 1]

    ``(1 − n_h / N_h)`` is the finite-population correction. Each stratum needs at least
    two reports for s²_dh: until then, or while nothing at all has been counted in
    the denominator, the estimate is "not enough data" (``value`` None), never a margin
    of 0. A standard error of exactly 0 is only given when every station of every
    stratum reported (then the figure is a count, not an estimate); a zero spread from
    a part of the stations says nothing about the others, so it is "not enough data" too.
    (Computed through :func:`estimate_from_moments`.)
    """
    by_stratum = defaultdict(list)
    for stratum, y, x in reports:
        if stratum in stratum_sizes:
            by_stratum[stratum].append((y, x))
    return estimate_from_moments({s: stratum_moments(rows) for s, rows in by_stratum.items()}, stratum_sizes, z=z)


def estimate_from_moments(
    moments: Mapping[Hashable, StratumMoments], stratum_sizes: Mapping[Hashable, int], *, z: float = Z95
) -> Estimate:
    """:func:`ratio_estimate` from each stratum's StratumMoments; strata not in ``stratum_sizes`` are left out."""
    empty = StratumMoments(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    used = {stratum: moments.get(stratum, empty) for stratum in stratum_sizes}
    count = sum(m.count for m in used.values())
    # a stratum of one station is complete with its one report
    short = tuple(sorted((s for s, m in used.items() if m.count < min(2, stratum_sizes[s])), key=str))
    if short or not stratum_sizes:
        return Estimate(None, None, None, None, count, short)
    total_y = sum(stratum_sizes[s] * m.mean_y for s, m in used.items() if m.count)
    total_x = sum(stratum_sizes[s] * m.mean_x for s, m in used.items() if m.count)
    if total_x <= 0:
        return Estimate(None, None, None, None, count, ())
    ratio = total_y / total_x
    variance_sum = 0.0
    complete = True
    for stratum, m in used.items():
        if not m.count:
            continue
        size = stratum_sizes[stratum]
        correction = max(0.0, 1 - m.count / size)
        complete = complete and correction == 0
        if m.count > 1:
            spread = max(0.0, m.syy - 2 * ratio * m.sxy + ratio * ratio * m.sxx) / (m.count - 1)
            variance_sum += size * size * correction * spread / m.count
    standard_error = math.sqrt(variance_sum) / total_x
    if standard_error == 0 and not complete:
        return Estimate(None, None, None, None, count, ())
    low = max(0.0, ratio - z * standard_error)
    high = min(1.0, ratio + z * standard_error)
    return Estimate(ratio, standard_error, low, high, count, ())
