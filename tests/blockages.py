"""Blockage reports and OONI measurements for the blockage tests, made through the real services."""

import datetime
from pathlib import Path

from incidents import services
from incidents.imports.ooni import import_answer
from incidents.models import DatePrecision, IncidentKind

#: a hand-written answer of OONI's GET /api/v1/measurements in its documented format (invented values)
OONI_FILE = Path(__file__).parent / "data" / "ooni_measurements_kz_2021-01-10.json"

START = datetime.datetime(2021, 1, 10, 4, 0, tzinfo=datetime.UTC)
END = datetime.datetime(2021, 1, 10, 6, 0, tzinfo=datetime.UTC)

#: the recorded measurements by what sets them apart (the uid's first part)
KAZAKHTELECOM_ANOMALY = "20210110041512.118823_KZ_webconnectivity_5d1e0c3a7b9f2e41"
KAZAKHTELECOM_CONFIRMED = "20210110043001.552103_KZ_whatsapp_8a2f4c6e1d3b5a70"
BEELINE_ANOMALY = "20210110050244.019876_KZ_telegram_c4e6a8b0d2f41357"
KAZAKHTELECOM_PLAIN = "20210110052210.734512_KZ_webconnectivity_1f3e5d7c9b2a4860"
TELE2_PLAIN = "20210110061958.300417_KZ_signal_7e9d1c3b5a2f4068"
KAZAKHTELECOM_FAILED = "20210110071133.662190_KZ_facebookmessenger_2b4d6f8a0c1e3579"
DAY_BEFORE = "20210109120501.128844_KZ_webconnectivity_9c1b3a5e7d2f4680"
KYRGYZSTAN = "20210110044540.909211_KG_webconnectivity_3a5c7e9b1d2f4068"


def import_recorded():
    return import_answer(OONI_FILE.read_bytes())


def blockage_details(**overrides):
    details = {
        "scope": "city",
        "blockage_type": "mobile_data",
        "services": ["whatsapp", "telegram", "youtube"],
        "providers": "Kazakhtelecom (AS9198)",
        "started_at": START,
        "ended_at": END,
        "official_justification": "Technical works on the network, said the ministry.",
        "ordered_by": "executive",
        "officially_acknowledged": False,
        "source_links": "https://news.example.org/almaty-internet\nhttps://statement.example.org/ministry",
    }
    details.update(overrides)
    return details


def submit_blockage(*, reporter, election, region, **details):
    return services.incident_submit(
        reporter=reporter,
        election=election,
        kind=IncidentKind.INTERNET_BLOCKAGE,
        region=region,
        occurred_at=START,
        occurred_precision=DatePrecision.EXACT,
        description="Mobile internet went down near the polling station.",
        details=blockage_details(**details),
    ).incident
