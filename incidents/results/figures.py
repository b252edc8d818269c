"""The figures behind the forensics pages, as tables and as JSON: one shape for the page, API and CSV.

``analysis_of(data)`` runs every analysis of ``forensics`` on the arrays a
selector read; ``summary(...)`` is the JSON of the API; ``TABLES`` names
each table a CSV export writes (its header and rows).
"""

import numpy as np

from . import forensics

#: stations listed on the page among the extremes (the CSV has them all)
EXTREMES_SHOWN = 50


def analysis_of(data):
    return forensics.analyse(data.registered, data.ballots, data.valid, data.votes)


def rounded(value, places=4):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return round(float(value), places)


def whole_percent_json(test):
    return {
        "stations": test.stations,
        "observed": test.observed,
        "expected": rounded(test.expected, 2),
        "excess": rounded(test.excess, 2),
        "sd": rounded(test.sd, 2),
        "p_value": rounded(test.p_value, 6),
        "method": test.method,
        "signal": bool(test.signal),
    }


def second_digit_json(test):
    return {
        "counts_used": test.counts_used,
        "enough": test.enough,
        "chi2": rounded(test.chi2, 3),
        "degrees_of_freedom": 9,
        "p_value": rounded(test.p_value, 6),
        "mean": rounded(test.mean, 4),
        "expected_mean": rounded(test.expected_mean, 4),
        "signal": bool(test.signal),
        "digits": [
            {"digit": digit, "observed": int(test.observed[digit]), "expected": rounded(test.expected[digit], 2)}
            for digit in range(10)
        ],
    }


def extreme_rows(data, analysis, regions, limit=None):
    indices = analysis.extremes if limit is None else analysis.extremes[:limit]
    for index in indices:
        region = regions.get(int(data.region_ids[index]))
        yield {
            "station": data.numbers[index],
            "region": region.code if region else "",
            "region_name": region.name if region else "",
            "registered_voters": int(data.registered[index]),
            "ballots_cast": int(data.ballots[index]),
            "valid_votes": int(data.valid[index]),
            "votes": int(data.votes[index]),
            "turnout": rounded(analysis.turnout[index], 2),
            "share": rounded(analysis.share[index], 2),
        }


def summary(election, region, data, analysis, regions):
    """Every figure of the page, as JSON (the API's answer)."""
    explanations = {
        key: {name: str(text) for name, text in texts.items()} for key, texts in forensics.EXPLANATIONS.items()
    }
    print_ = analysis.fingerprint
    return {
        "election": election.slug,
        "region": region.code if region else None,
        "stations": len(data),
        "source": data.source,
        "party": {"short_name": data.party.short_name, "ballot_number": data.party.ballot_number}
        if data.party
        else None,
        "parties": [
            {"short_name": item.party.short_name, "ballot_number": item.party.ballot_number, "votes": item.votes}
            for item in data.parties
        ],
        "registered_voters": int(data.registered.sum()),
        "ballots_cast": int(data.ballots.sum()),
        "fingerprint": {
            "bin_width": print_.bin_width,
            "weight": "ballots cast",
            "total": print_.total,
            "corner": print_.corner,
            "corner_fraction": rounded(print_.corner_fraction, 6),
            "counts": print_.counts.astype(int).tolist(),
        },
        "turnout_histogram": histogram_json(analysis.turnout_histogram),
        "share_histogram": histogram_json(analysis.share_histogram),
        "whole_percent": {
            "turnout": whole_percent_json(analysis.whole_turnout),
            "share": whole_percent_json(analysis.whole_share),
        },
        "second_digit": second_digit_json(analysis.second_digits),
        "correlation": {"stations": analysis.correlation.stations, "pearson": rounded(analysis.correlation.pearson)},
        "extremes": {
            "threshold": forensics.EXTREME_PERCENT,
            "count": len(analysis.extremes),
            "stations": list(extreme_rows(data, analysis, regions)),
        },
        "explanations": explanations,
    }


def histogram_json(histogram):
    return {
        "bin_width": histogram.bin_width,
        "centres": [rounded(centre, 2) for centre in histogram.centres],
        "stations": histogram.counts.astype(int).tolist(),
    }


def fingerprint_table(data, analysis, regions):
    print_ = analysis.fingerprint
    width = print_.bin_width
    header = ["turnout_from", "turnout_to", "share_from", "share_to", "voters"]
    rows = (
        [rounded(i * width, 2), rounded((i + 1) * width, 2), rounded(j * width, 2), rounded((j + 1) * width, 2), int(v)]
        for (i, j), v in np.ndenumerate(print_.counts)
        if v
    )
    return header, rows


def histogram_table(histogram):
    header = ["percent", "whole", "stations"]
    rows = (
        [rounded(centre, 2), bool(whole), int(count)]
        for centre, whole, count in zip(histogram.centres, histogram.whole, histogram.counts, strict=True)
    )
    return header, rows


def tests_table(data, analysis, regions):
    header = ["test", "stations_or_counts", "observed", "expected", "statistic", "p_value", "method"]
    rows = []
    for name, test in (
        ("whole_percent_turnout", analysis.whole_turnout),
        ("whole_percent_share", analysis.whole_share),
    ):
        rows.append(
            [name, test.stations, test.observed, rounded(test.expected, 2), "", rounded(test.p_value, 6), test.method]
        )
    digits = analysis.second_digits
    rows.append(
        [
            "second_digit",
            digits.counts_used,
            rounded(digits.mean, 4),
            rounded(digits.expected_mean, 4),
            rounded(digits.chi2, 3),
            rounded(digits.p_value, 6),
            "chi-square, 9 df",
        ]
    )
    rows.append(
        ["correlation", analysis.correlation.stations, "", "", rounded(analysis.correlation.pearson), "", "Pearson"]
    )
    rows.append(
        [
            "fingerprint_corner",
            analysis.fingerprint.stations,
            rounded(analysis.fingerprint.corner_fraction, 6),
            "",
            "",
            "",
            f"voters with turnout and share >= {analysis.fingerprint.corner:g}%",
        ]
    )
    rows.append(
        ["extremes", len(analysis.extremes), "", "", "", "", f"turnout and share > {forensics.EXTREME_PERCENT:g}%"]
    )
    return header, rows


def second_digits_table(data, analysis, regions):
    test = analysis.second_digits
    header = ["digit", "observed", "expected"]
    return header, ([digit, int(test.observed[digit]), rounded(test.expected[digit], 2)] for digit in range(10))


def extremes_table(data, analysis, regions):
    header = [
        "station",
        "region",
        "region_name",
        "registered_voters",
        "ballots_cast",
        "valid_votes",
        "votes",
        "turnout",
        "share",
    ]
    return header, ([row[name] for name in header] for row in extreme_rows(data, analysis, regions))


def stations_table(data, analysis, regions):
    header = ["station", "region", "registered_voters", "ballots_cast", "valid_votes", "votes", "turnout", "share"]
    codes = {pk: region.code for pk, region in regions.items()}

    def rows():
        for index in range(len(data)):
            yield [
                data.numbers[index],
                codes.get(int(data.region_ids[index]), ""),
                int(data.registered[index]),
                int(data.ballots[index]),
                int(data.valid[index]),
                int(data.votes[index]),
                rounded(analysis.turnout[index], 4),
                rounded(analysis.share[index], 4),
            ]

    return header, rows()


#: every CSV export by name: ``(header, rows)`` from the data, its analysis and the regions by id
TABLES = {
    "tests": tests_table,
    "fingerprint": fingerprint_table,
    "turnout-histogram": lambda data, analysis, regions: histogram_table(analysis.turnout_histogram),
    "share-histogram": lambda data, analysis, regions: histogram_table(analysis.share_histogram),
    "second-digits": second_digits_table,
    "extremes": extremes_table,
    "stations": stations_table,
}
