"""The PVT's pure functions against the worked example of docs/pvt.md, and on real station results."""

import hashlib
import math
import subprocess

import pytest

from incidents.results import pvt

from . import duma2016

# The worked example of docs/pvt.md: stratum A has 10 stations of which 3 reported,
# stratum B 5 of which 2; y = votes of the party, x = valid votes.
EXAMPLE_REPORTS = [("A", 60, 100), ("A", 40, 80), ("A", 50, 120), ("B", 60, 200), ("B", 40, 100)]
EXAMPLE_SIZES = {"A": 10, "B": 5}


def test_sample_size_is_cochrans_with_the_finite_population_correction():
    # n0 = (1.96 · 0.5 / 0.02)² = 2401 (with z = 1.96 exactly); n = 2401 / (1 + 2400/10000) = 1936.3 -> 1937
    assert pvt.sample_size(margin=0.02, population=10_000, z=1.96) == 1937
    # a smaller spread between stations needs fewer: (1.96 · 0.15 / 0.02)² = 216.09 -> 216.09 / 1.02151 -> 212
    assert pvt.sample_size(margin=0.02, population=10_000, spread=0.15, z=1.96) == 212
    # never more than there are stations
    assert pvt.sample_size(margin=0.001, population=50) == 50


@pytest.mark.parametrize("margin", [0, 1, -0.1])
def test_sample_size_refuses_a_margin_that_is_not_a_share(margin):
    with pytest.raises(ValueError):
        pvt.sample_size(margin=margin, population=100)


def test_allocation_is_proportional_adds_up_and_gives_each_stratum_two():
    # 100 stations: 10 · 60/100 = 6, 10 · 30/100 = 3, 10 · 10/100 = 1 -> raised to 2
    assert pvt.allocate({"big": 60, "middle": 30, "small": 10}, 10) == {"big": 6, "middle": 3, "small": 2}
    # largest remainder: 7 · (1/3 each) = 2.33 each, the one left goes to the first by name
    assert pvt.allocate({"b": 10, "a": 10, "c": 10}, 7) == {"a": 3, "b": 2, "c": 2}
    # a stratum with a single station gives what it has
    assert pvt.allocate({"one": 1, "many": 99}, 10) == {"many": 10, "one": 1}


def test_the_draw_is_reproducible_from_the_seed_and_stratified():
    stations = [(str(number), "north" if number % 3 else "south") for number in range(1, 301)]
    first = pvt.draw_sample(stations, size=30, seed="s3cret")
    assert first == pvt.draw_sample(list(reversed(stations)), size=30, seed="s3cret")
    assert first != pvt.draw_sample(stations, size=30, seed="another")
    assert {len(first["north"]), len(first["south"])} == {20, 10}
    south = {number for number, stratum in stations if stratum == "south"}
    assert set(first["south"]) <= south


def test_the_draw_takes_the_smallest_sha256_keys_in_each_stratum():
    stations = [(str(number), "only") for number in range(1, 21)]
    keys = sorted((hashlib.sha256(f"seed\n{number}".encode()).hexdigest(), str(number)) for number in range(1, 21))
    assert pvt.draw_sample(stations, size=4, seed="seed") == {"only": [number for _, number in keys[:4]]}


def test_fingerprint_is_the_sha256_of_the_documented_bytes():
    expected = hashlib.sha256(b"seed-1\n10\n2\n7\n").hexdigest()
    assert pvt.fingerprint("seed-1", ["7", "2", "10"]) == expected
    assert pvt.fingerprint("seed-1", ["7", "2", "11"]) != expected
    assert pvt.fingerprint("seed-2", ["7", "2", "10"]) != expected


def test_fingerprint_matches_the_shell_recipe_of_the_docs(tmp_path):
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("7\n2\n10\n")
    shell = subprocess.run(
        ["sh", "-c", f"{{ printf '%s\\n' \"$SEED\"; LC_ALL=C sort -u {numbers}; }} | sha256sum"],
        env={"SEED": "seed-1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shell.stdout.split()[0] == pvt.fingerprint("seed-1", ["7", "2", "10"])


def test_ratio_estimate_against_the_worked_example():
    estimate = pvt.ratio_estimate(EXAMPLE_REPORTS, EXAMPLE_SIZES)
    # R = (10 · 50 + 5 · 50) / (10 · 100 + 5 · 150) = 750 / 1750 = 3/7
    assert estimate.value == pytest.approx(3 / 7)
    # residuals d = y - 3/7 x: A 120/7, 40/7, -10/7 (s² = 4300/49); B -180/7, -20/7 (s² = 12800/49)
    # Σ N² (1 - n/N) s² / n = 100 · 0.7 · 4300/147 + 25 · 0.6 · 6400/49 = 589000/147
    standard_error = math.sqrt(589_000 / 147) / 1750
    assert standard_error == pytest.approx(0.036171, abs=1e-6)
    assert estimate.standard_error == pytest.approx(standard_error)
    assert estimate.low == pytest.approx(3 / 7 - pvt.Z95 * standard_error)
    assert estimate.high == pytest.approx(3 / 7 + pvt.Z95 * standard_error)
    assert (round(estimate.low, 4), round(estimate.high, 4)) == (0.3577, 0.4995)
    assert estimate.reports == 5


def test_finite_population_correction_shrinks_the_interval_as_the_sample_grows():
    without = pvt.ratio_estimate(EXAMPLE_REPORTS, {"A": 10_000, "B": 5_000})
    corrected = pvt.ratio_estimate(EXAMPLE_REPORTS, EXAMPLE_SIZES)
    assert corrected.standard_error < without.standard_error


def test_every_station_counted_is_a_count_with_no_margin():
    census = pvt.ratio_estimate([("A", 1, 4), ("A", 3, 4)], {"A": 2})
    assert census.value == 0.5
    assert census.standard_error == 0


def test_a_stratum_with_fewer_than_two_reports_is_not_enough_data():
    estimate = pvt.ratio_estimate(EXAMPLE_REPORTS[:4], EXAMPLE_SIZES)  # B has one report
    assert not estimate.enough
    assert estimate.value is None and estimate.standard_error is None and estimate.margin is None
    assert estimate.short_strata == ("B",)
    assert not estimate.contains(0.43)


def test_a_stratum_with_no_report_at_all_is_not_enough_data():
    estimate = pvt.ratio_estimate(EXAMPLE_REPORTS[:3], EXAMPLE_SIZES)
    assert estimate.short_strata == ("B",)


def test_nothing_reported_is_not_enough_data():
    assert not pvt.ratio_estimate([], EXAMPLE_SIZES).enough
    assert not pvt.ratio_estimate([("A", 0, 0), ("A", 0, 0)], {"A": 10}).enough


def test_zero_spread_from_part_of_a_stratum_is_never_a_margin_of_zero():
    # a party with no votes at the two stations counted of ten: nothing is known of the other eight
    estimate = pvt.ratio_estimate([("A", 0, 100), ("A", 0, 120)], {"A": 10})
    assert not estimate.enough


def test_a_stratum_of_one_station_is_complete_with_one_report():
    estimate = pvt.ratio_estimate([*EXAMPLE_REPORTS, ("C", 5, 10)], {**EXAMPLE_SIZES, "C": 1})
    assert estimate.enough


def binomial_acceptance(draws, coverage=0.95, tail=0.001):
    """The range of hits a true 95% interval stays inside except with probability under ``tail`` on each side.

    Hits are Binomial(draws, 0.95). The lowest accepted count is the smallest k with P(X < k) < tail,
    the highest the largest k with P(X > k) < tail.
    """

    def probability(k):
        return math.comb(draws, k) * coverage**k * (1 - coverage) ** (draws - k)

    low = 0
    while sum(probability(k) for k in range(low + 1)) < tail:
        low += 1
    high = draws
    while sum(probability(k) for k in range(high, draws + 1)) < tail:
        high -= 1
    return low, high


@pytest.mark.skipif(duma2016.data_file() is None, reason="../shared/data/ru-duma-2016-stations.csv.zip is missing")
def test_coverage_on_the_2016_duma_stations():
    """120 samples of 1,500 of the 96,871 stations, stratified by region, seeds coverage-0 … coverage-119.

    If the 95% intervals are right, the number that hold the true share is Binomial(120, 0.95), which is
    below 106 with probability under 0.1%: a pass says the intervals are not too narrow. 120 of 120 has
    probability 0.2% (0.95¹²⁰), not rare enough to reject at this size, so intervals too wide are caught
    by the worked example (which pins the standard error) and by the full 400-draw run of bench/pvt.py,
    which must land in 92–98% (docs/benchmarks.md).
    """
    draws = 120
    low, high = binomial_acceptance(draws)
    assert (low, high) == (106, 120)
    hits, true_share = duma2016.coverage(draws=draws, size=1500)
    assert true_share == pytest.approx(28_527_828 / 51_649_253)  # the README's sums
    assert low <= hits <= high


def test_the_fingerprint_command_rechecks_a_published_fingerprint(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    published = hashlib.sha256(b"seed-1\n10\n2\n7\n").hexdigest()
    numbers = tmp_path / "sample.txt"
    numbers.write_text("7\n\n2\n10\n")
    out = StringIO()
    call_command("pvt_fingerprint", "--seed", "seed-1", "--file", str(numbers), "--expect", published, stdout=out)
    assert out.getvalue().splitlines()[0] == published
    assert "Matches: 3 stations" in out.getvalue()
    with pytest.raises(CommandError, match="NOT match"):
        call_command("pvt_fingerprint", "7", "2", "11", "--seed", "seed-1", "--expect", published, stdout=StringIO())
    with pytest.raises(CommandError, match="station numbers"):
        call_command("pvt_fingerprint", "--seed", "seed-1", stdout=StringIO())
