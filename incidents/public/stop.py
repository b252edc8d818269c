"""Published internet blockages in the columns of Access Now's STOP dataset (#KeepItOn).

STOP (the Shutdown Tracker Optimization Project) publishes one row per
shutdown. ``STOP_COLUMNS`` are its columns, in its order, as in the header of
the published sheet; Observer's own columns follow them (``OBSERVER_COLUMNS``),
so a reader that picks STOP's columns by name finds them all. Each row is
built from the public shape (``shape.PublicIncident``) and nothing else, so
nothing private can reach it. docs/blockages.md maps every column.
"""

import datetime

from ..models import BlockageAuthority, BlockageScope, BlockageType, InternetService
from .shape import PublicIncident

#: STOP's columns, in the order of the dataset's published header
STOP_COLUMNS = (
    "start_date_type",
    "start_date",
    "country",
    "geo_scope",
    "area_name",
    "shutdown_type",
    "affected_network",
    "shutdown_extent",
    "ordered_by",
    "decision_maker",
    "actual_cause",
    "actual_cause_details",
    "info_source",
    "info_source_link",
    "shutdown_status",
    "end_date",
    "duration",
    "gov_justification",
    "gov_ack",
    "facebook_affected",
    "twitter_affected",
    "whatsapp_affected",
    "instagram_affected",
    "telegram_affected",
    "other_affected",
    "sms_affected",
    "phonecall_affected",
    "telcos_involved",
    "election",
    "violence",
    "hr_abuse_reported",
    "users_targeted",
    "users_target_detail",
    "event",
    "an_link",
    "region",
)
#: Observer's columns after STOP's: where the row comes from and its measured evidence
OBSERVER_COLUMNS = (
    "observer_reference",
    "observer_url",
    "observer_verification",
    "started_at_utc",
    "ended_at_utc",
    "ooni_measurement_count",
    "ooni_measurements",
    "measurement_url",
)

#: Observer's scope -> STOP's geo_scope (the wording of STOP's codebook questions)
GEO_SCOPE = {
    BlockageScope.NATIONAL: "It affected the whole country",
    BlockageScope.REGION: "It affected only one state, province, or region",
    BlockageScope.CITY: "It affected only one city, county, or village",
    BlockageScope.POLLING_STATION: "It affected only one city, county, or village",
}
#: Observer's type -> (shutdown_type, affected_network, shutdown_extent)
BLOCKAGE_TYPE = {
    BlockageType.FULL_SHUTDOWN: ("Shutdown", "Broadband, Mobile", "Full network"),
    BlockageType.MOBILE_DATA: ("Shutdown", "Mobile", "Full network"),
    BlockageType.FIXED_BROADBAND: ("Shutdown", "Broadband", "Full network"),
    BlockageType.THROTTLING: ("Throttle", "", "Full network"),
    BlockageType.PLATFORM_BLOCK: ("Shutdown", "", "Service-based"),
    BlockageType.UNKNOWN: ("Unknown", "", ""),
}
#: Observer's authority -> STOP's ordered_by
ORDERED_BY = {
    BlockageAuthority.EXECUTIVE: "Executive government",
    BlockageAuthority.JUDICIARY: "Judiciary",
    BlockageAuthority.LAW_ENFORCEMENT: "Law enforcement",
    BlockageAuthority.TELECOM_REGULATOR: "Telecom regulator",
    BlockageAuthority.ELECTION_BODY: "Election authority",
    BlockageAuthority.PROVIDER: "Telecom company",
    BlockageAuthority.UNKNOWN: "Unknown",
}
#: STOP's per-platform Yes/No columns and the services that set them
SERVICE_COLUMNS = {
    "facebook_affected": InternetService.FACEBOOK,
    "twitter_affected": InternetService.X,
    "whatsapp_affected": InternetService.WHATSAPP,
    "instagram_affected": InternetService.INSTAGRAM,
    "telegram_affected": InternetService.TELEGRAM,
    "sms_affected": InternetService.SMS,
    "phonecall_affected": InternetService.VOICE,
}
#: services without a column of their own, named in ``other_affected``
OTHER_SERVICE_NAMES = {InternetService.YOUTUBE: "YouTube", InternetService.TIKTOK: "TikTok", InternetService.VPN: "VPN"}


def stop_header():
    return [*STOP_COLUMNS, *OBSERVER_COLUMNS]


def _yes_no(value):
    if value is None:
        return ""
    return "Yes" if value else "No"


def duration_days(start, end):
    """Calendar days from the start's date to the end's, both counted (STOP's ``duration``: 9/21 to 10/7 is 17).

    >>> duration_days(datetime.date(2022, 9, 21), datetime.date(2022, 10, 7))
    17
    """
    if start is None or end is None:
        return None
    return (end - start).days + 1


def _utc(moment):
    return moment.astimezone(datetime.UTC).isoformat() if moment else ""


def stop_row(incident: PublicIncident, *, base_url=""):
    """One blockage as a row of ``stop_header()``: STOP's columns, then Observer's."""
    facts = {detail.field: detail.value for detail in incident.details}
    zone = incident.occurred_local.tzinfo  # dates in the election's time zone, as STOP gives local dates
    started, ended = facts.get("started_at"), facts.get("ended_at")
    start_date = started.astimezone(zone).date() if started else None
    end_date = ended.astimezone(zone).date() if ended else None
    shutdown_type, affected_network, extent = BLOCKAGE_TYPE.get(facts.get("blockage_type"), ("", "", ""))
    services = set(facts.get("services") or [])
    if services and extent == "Full network" and facts.get("blockage_type") != BlockageType.FULL_SHUTDOWN:
        extent = "Full network, Service-based"
    other = [name for service, name in OTHER_SERVICE_NAMES.items() if service in services]
    sources = [line.strip() for line in (facts.get("source_links") or "").splitlines() if line.strip()]
    scope = facts.get("scope")
    area = "" if scope == BlockageScope.NATIONAL else incident.region_name
    row = {
        "start_date_type": "Actual" if started else "Estimated",
        "start_date": (start_date or incident.occurred_local.date()).isoformat(),
        "country": incident.election_country,
        "geo_scope": GEO_SCOPE.get(scope, ""),
        "area_name": area or ("Nationwide" if scope == BlockageScope.NATIONAL else ""),
        "shutdown_type": shutdown_type,
        "affected_network": affected_network,
        "shutdown_extent": extent,
        "ordered_by": ORDERED_BY.get(facts.get("ordered_by"), ""),
        "decision_maker": "",
        "actual_cause": "Elections",
        "actual_cause_details": "",
        "info_source": "Election observers",
        "info_source_link": "; ".join(sources),
        "shutdown_status": "Ended" if ended else "Ongoing",
        "end_date": end_date.isoformat() if end_date else "",
        "duration": duration_days(start_date, end_date),
        "gov_justification": facts.get("official_justification") or "",
        "gov_ack": _yes_no(facts.get("officially_acknowledged")),
        **{column: "Yes" if service in services else "No" for column, service in SERVICE_COLUMNS.items()},
        "other_affected": ", ".join(other),
        "telcos_involved": facts.get("providers") or "",
        "election": "Yes",
        "violence": "",
        "hr_abuse_reported": "",
        "users_targeted": "",
        "users_target_detail": "",
        "event": incident.public_summary,
        "an_link": "",
        "region": "",
        "observer_reference": incident.reference,
        "observer_url": base_url + incident.url,
        "observer_verification": incident.verification,
        "started_at_utc": _utc(started),
        "ended_at_utc": _utc(ended),
        "ooni_measurement_count": len(incident.measurements),
        "ooni_measurements": " ".join(measurement.url for measurement in incident.measurements),
        "measurement_url": facts.get("measurement_url") or "",
    }
    return [row[column] for column in stop_header()]
