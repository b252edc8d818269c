"""The forensic analyses on hand-made numbers (answers worked by hand) and on simulated elections."""

import math

import numpy as np
import pytest

from incidents.results import forensics

# Whole percentages -------------------------------------------------------------------------------------------------


def test_whole_percentage_is_the_count_nearest_to_a_whole_percent():
    # 620 of 1000 is 62.0%; 621 is 62.1%; 333 of 1000 is 33.3%; but 1 of 3 (33.3%) is the count
    # nearest to 33% of 3 (0.99): in a station that small every count is "whole", hence MIN_DENOMINATOR.
    assert forensics.is_whole_percentage([620, 621, 333, 1], [1000, 1000, 1000, 3]).tolist() == [
        True,
        False,
        False,
        True,
    ]


def test_whole_percentage_by_hand_with_rounding_allowed_for_size():
    # 1% of 150 voters is 1.5 voters: the counts nearest to 1%, 2%, 3% are 2 (1.5 rounded up), 3, 5 (4.5 rounded up).
    assert forensics.is_whole_percentage([2, 3, 4, 5], [150, 150, 150, 150]).tolist() == [True, True, False, True]
    # 1% of 2000 is 20 voters: only multiples of 20 are whole.
    assert forensics.is_whole_percentage([1240, 1241, 1250, 1260], [2000] * 4).tolist() == [True, False, False, True]


def test_probability_of_a_whole_percentage_by_chance():
    assert forensics.whole_percentage_probability([100, 1000, 200]).tolist() == pytest.approx([1.0, 99 / 999, 99 / 199])


def test_worked_example_of_the_whole_percentage_test():
    """docs/forensics.md: n = (1000, 1000, 200), x = (620, 333, 50)."""
    test = forensics.whole_percentage_test([620, 333, 50], [1000, 1000, 200])
    assert test.stations == 3
    assert test.observed == 2
    assert test.expected == pytest.approx(0.6957, abs=1e-4)
    p1, p3 = 99 / 999, 99 / 199
    # P(S >= 2) for Bernoulli(p1), Bernoulli(p1), Bernoulli(p3), written out.
    at_least_two = p1 * p1 + 2 * p1 * (1 - p1) * p3
    assert test.p_value == pytest.approx(at_least_two)
    assert test.method == "exact"


def test_small_stations_and_the_edges_are_left_out():
    # 99 voters: too small; 0 and all of 1000: edges.
    test = forensics.whole_percentage_test([50, 0, 1000, 500], [99, 1000, 1000, 1000])
    assert test.stations == 1
    assert test.observed == 1


def test_exact_and_normal_p_values_agree_for_many_stations():
    rng = np.random.default_rng(5)
    probabilities = rng.uniform(0.03, 0.2, size=2000)
    observed = int(probabilities.sum() + 2 * math.sqrt((probabilities * (1 - probabilities)).sum()))
    exact, method = forensics.poisson_binomial_sf(observed, probabilities)
    assert method == "exact"
    mean, sd = probabilities.sum(), math.sqrt((probabilities * (1 - probabilities)).sum())
    normal = 0.5 * math.erfc((observed - 0.5 - mean) / sd / math.sqrt(2))
    assert exact == pytest.approx(normal, abs=0.005)


# Second digits -----------------------------------------------------------------------------------------------------


def test_benford_second_digit_law_values():
    # Nigrini's table: 0.11968 for 0, 0.08500 for 9; they add up to 1; the mean is 4.187.
    assert forensics.BENFORD_SECOND_DIGIT[0] == pytest.approx(0.11968, abs=1e-5)
    assert forensics.BENFORD_SECOND_DIGIT[9] == pytest.approx(0.08500, abs=1e-5)
    assert forensics.BENFORD_SECOND_DIGIT.sum() == pytest.approx(1.0)
    assert forensics.SecondDigitTest.expected_mean == pytest.approx(4.187, abs=1e-3)


def test_second_digits_by_hand():
    assert forensics.second_digits([10, 19, 123, 4567, 1000000, 99]).tolist() == [0, 9, 2, 5, 0, 9]


def test_second_digit_test_needs_enough_large_counts():
    test = forensics.second_digit_test([5, 9, 12, 345])
    assert test.counts_used == 2
    assert not test.enough
    assert test.p_value is None


def test_second_digit_chi_square_by_hand():
    # 1000 counts all with second digit 0 (10, 100, 1000, ...): χ² = Σ (O − E)²/E with E = 1000·q.
    counts = [10, 100, 1000, 102, 20] * 200
    test = forensics.second_digit_test(counts)
    q = forensics.BENFORD_SECOND_DIGIT
    observed = np.array([1000, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    assert test.observed.tolist() == observed.tolist()
    assert test.chi2 == pytest.approx(((observed - 1000 * q) ** 2 / (1000 * q)).sum())
    assert test.mean == 0
    assert test.signal


def test_counts_following_the_law_pass():
    # Counts spread log-uniformly over several orders of magnitude follow Benford's law.
    rng = np.random.default_rng(7)
    counts = np.floor(10 ** rng.uniform(1, 5, size=20000)).astype(int)
    test = forensics.second_digit_test(counts)
    assert test.p_value > 0.01
    assert test.mean == pytest.approx(4.187, abs=0.05)


# Fingerprint, histograms, extremes, correlation --------------------------------------------------------------------


def test_fingerprint_by_hand():
    # Two stations: 30% turnout / 40% share with 300 voters, 99% / 100% with 990 voters; bins of 10%.
    print_ = forensics.fingerprint([30, 99, np.nan], [40, 100, 50], [300, 990, 5], bin_width=10)
    assert print_.counts.shape == (10, 10)
    assert print_.counts[3, 4] == 300
    assert print_.counts[9, 9] == 990  # 100% belongs to the last bin
    assert print_.total == 1290
    assert print_.stations == 2
    assert print_.corner_fraction == pytest.approx(990 / 1290)


def test_histogram_centres_whole_percentages_in_bins_of_their_own():
    histogram = forensics.histogram([60.0, 60.09, 60.11, 100.0, np.nan], bin_width=0.2)
    assert len(histogram.centres) == 501
    index = 300  # 60.0%
    assert histogram.centres[index] == pytest.approx(60.0)
    assert histogram.counts[index] == 2
    assert histogram.counts[index + 1] == 1
    assert histogram.counts[-1] == 1
    assert histogram.whole[index]
    assert not histogram.whole[index + 1]


def test_extremes_are_both_above_95_percent():
    turnout = [96, 99, 95, 100, np.nan]
    share = [97, 50, 99, 95.5, 99]
    assert forensics.extreme_stations(turnout, share).tolist() == [0, 3]


def test_correlation_by_hand():
    # t = 1, 2, 3; s = 2, 4, 7: r = 5 / sqrt(2 · 12.667) = 0.9934.
    correlation = forensics.turnout_share_correlation([1, 2, 3, np.nan], [2, 4, 7, 1])
    assert correlation.stations == 3
    assert correlation.pearson == pytest.approx(5 / math.sqrt(2 * 38 / 3))
    assert forensics.turnout_share_correlation([1, 1, 1], [1, 2, 3]).pearson is None


# Planted fraud -----------------------------------------------------------------------------------------------------


def clean_election(seed, stations=2000):
    """Counts with nothing written in: binomial draws around station-level turnout and support."""
    rng = np.random.default_rng(seed)
    registered = rng.integers(500, 3000, size=stations)
    turnout = np.clip(rng.normal(0.55, 0.08, size=stations), 0.05, 0.95)
    ballots = rng.binomial(registered, turnout)
    valid = ballots - rng.binomial(ballots, 0.015)
    support = np.clip(rng.normal(0.45, 0.07, size=stations), 0.05, 0.95)
    leader = rng.binomial(valid, support)
    return registered, ballots, valid, leader, rng


def test_a_clean_election_is_not_flagged():
    registered, ballots, valid, leader, _rng = clean_election(1)
    analysis = forensics.analyse(registered, ballots, valid, leader)
    assert not analysis.whole_turnout.signal
    assert not analysis.whole_share.signal
    assert analysis.fingerprint.corner_fraction < 0.001
    assert len(analysis.extremes) == 0


def test_false_alarms_of_the_whole_percentage_test_stay_near_five_percent():
    seeds = 300
    alarms = 0
    for seed in range(seeds):
        registered, ballots, _valid, _leader, _rng = clean_election(1000 + seed, stations=300)
        alarms += forensics.whole_percentage_test(ballots, registered).signal
    assert 0.01 <= alarms / seeds <= 0.10


def test_round_percentages_written_in_at_three_percent_of_stations_are_flagged():
    registered, ballots, valid, leader, rng = clean_election(2)
    written = rng.choice(len(registered), size=len(registered) * 3 // 100, replace=False)
    turnout_percent = rng.integers(60, 91, size=len(written))
    share_percent = rng.integers(55, 81, size=len(written))
    ballots[written] = (2 * turnout_percent * registered[written] + 100) // 200
    valid[written] = ballots[written] - 10
    leader[written] = (2 * share_percent * valid[written] + 100) // 200
    analysis = forensics.analyse(registered, ballots, valid, leader)
    assert analysis.whole_turnout.signal and analysis.whole_turnout.p_value < 0.001
    assert analysis.whole_share.signal and analysis.whole_share.p_value < 0.001
    assert analysis.whole_turnout.excess > 40


def test_ballot_stuffing_at_five_percent_of_stations_moves_the_fingerprint_to_the_corner():
    registered, ballots, valid, leader, rng = clean_election(3)
    clean = forensics.analyse(registered, ballots, valid, leader)
    stuffed = rng.choice(len(registered), size=len(registered) * 5 // 100, replace=False)
    # Klimek et al.'s model: most of those who did not vote "vote" for the leader, and other parties' votes move too.
    added = rng.binomial(registered[stuffed] - ballots[stuffed], 0.9)
    moved = rng.binomial(valid[stuffed] - leader[stuffed], 0.7)
    ballots[stuffed] += added
    valid[stuffed] += added
    leader[stuffed] += added + moved
    dirty = forensics.analyse(registered, ballots, valid, leader)
    assert clean.fingerprint.corner_fraction < 0.001
    assert dirty.fingerprint.corner_fraction > 0.04
    assert dirty.correlation.pearson > clean.correlation.pearson + 0.3
