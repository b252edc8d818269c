"""Controlled vocabularies.

Where a public standard exists the values follow it: incident kinds map to
ACLED event types (protest with intervention, arrests), date precision and
confidentiality follow HURIDOCS, internet blockage fields follow Access Now's
#KeepItOn shutdown tracker, and measurement evidence is an OONI or IODA link.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ElectionKind(models.TextChoices):
    PARLIAMENTARY = "parliamentary", _("Parliamentary")
    PRESIDENTIAL = "presidential", _("Presidential")
    LOCAL = "local", _("Local")
    REFERENDUM = "referendum", _("Referendum")


class RegionLevel(models.TextChoices):
    REGION = "region", _("Region")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    LOCALITY = "locality", _("Locality")


class ResultStage(models.TextChoices):
    PRELIMINARY = "preliminary", _("Preliminary")
    FINAL = "final", _("Final")


class OrganizationKind(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic non-partisan")
    PARTY = "party", _("Party")
    INTERNATIONAL = "international", _("International")
    MEDIA = "media", _("Media")


class ObserverKind(models.TextChoices):
    INDEPENDENT = "independent", _("Independent observer")
    PARTY = "party", _("Party observer")
    INTERNATIONAL = "international", _("International observer")
    JOURNALIST = "journalist", _("Journalist")


class IncidentKind(models.TextChoices):
    DETENTION = "detention", _("Detention")
    DENIED_ACCESS = "denied_access", _("Denied access")
    INTERNET_BLOCKAGE = "internet_blockage", _("Internet blockage")
    BALLOT_STUFFING = "ballot_stuffing", _("Ballot stuffing")
    INTIMIDATION = "intimidation", _("Intimidation")
    VOTE_BUYING = "vote_buying", _("Vote buying")
    CAROUSEL_VOTING = "carousel_voting", _("Carousel voting")
    PROCEDURAL = "procedural", _("Procedural violation")
    OTHER = "other", _("Other violation")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_INFO = "needs_info", _("Needs information")
    VERIFIED = "verified", _("Verified")
    APPROVED = "approved", _("Approved for publication")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    RETRACTED = "retracted", _("Retracted")


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    CORROBORATED = "corroborated", _("Corroborated")
    CONFIRMED = "confirmed", _("Confirmed")


class DatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact time")
    APPROXIMATE = "approximate", _("Approximate time")
    DAY = "day", _("Day only")


class Source(models.TextChoices):
    OBSERVER = "observer", _("Observer")
    MEDIA = "media", _("Media")
    PARTNER = "partner", _("Partner organization")
    SMS = "sms", _("SMS")


class DetainedGroup(models.TextChoices):
    PROTESTERS = "protesters", _("Protesters")
    ACTIVISTS = "activists", _("Activists")
    OBSERVERS = "observers", _("Observers")
    JOURNALISTS = "journalists", _("Journalists")
    VOTERS = "voters", _("Voters")
    CANDIDATES = "candidates", _("Candidates")


class Perpetrator(models.TextChoices):
    POLICE = "police", _("Police")
    NATIONAL_GUARD = "national_guard", _("National guard")
    PLAIN_CLOTHES = "plain_clothes", _("Plain-clothes officers")
    UNKNOWN = "unknown", _("Unknown")


class DetentionCircumstance(models.TextChoices):
    AT_PROTEST = "at_protest", _("At a protest")
    AT_POLLING_STATION = "at_polling_station", _("At a polling station")
    FROM_HOME = "from_home", _("Taken from home")
    ON_STREET = "on_street", _("On the street")
    OTHER = "other", _("Other")


class ReleaseStatus(models.TextChoices):
    RELEASED = "released", _("Released")
    HELD = "held", _("Still held")
    UNKNOWN = "unknown", _("Unknown")


class Charges(models.TextChoices):
    NONE = "none", _("None")
    ADMINISTRATIVE = "administrative", _("Administrative")
    CRIMINAL = "criminal", _("Criminal")
    UNKNOWN = "unknown", _("Unknown")


class DeniedPerson(models.TextChoices):
    OBSERVER = "observer", _("Observer")
    JOURNALIST = "journalist", _("Journalist")
    PARTY_AGENT = "party_agent", _("Party agent")
    INTERNATIONAL_OBSERVER = "international_observer", _("International observer")


class ElectoralStage(models.TextChoices):
    OPENING = "opening", _("Opening")
    VOTING = "voting", _("Voting")
    COUNTING = "counting", _("Counting")
    TABULATION = "tabulation", _("Tabulation")


class DenialMethod(models.TextChoices):
    REFUSED_ENTRY = "refused_entry", _("Refused entry")
    EXPELLED = "expelled", _("Expelled")
    VIEW_OBSTRUCTED = "view_obstructed", _("View obstructed")
    PHOTOGRAPHY_BANNED = "photography_banned", _("Photography banned")
    DOCUMENT_DEMANDED = "document_demanded", _("A document or test demanded")
    PHYSICAL_FORCE = "physical_force", _("Physical force")


class DeniedBy(models.TextChoices):
    COMMISSION_CHAIR = "commission_chair", _("Commission chair")
    COMMISSION_MEMBER = "commission_member", _("Commission member")
    POLICE = "police", _("Police")
    SECURITY = "security", _("Security staff")
    UNKNOWN = "unknown", _("Unknown")


class BlockageScope(models.TextChoices):
    NATIONAL = "national", _("National")
    REGION = "region", _("Region")
    CITY = "city", _("City")
    POLLING_STATION = "polling_station", _("Polling station")


class BlockageType(models.TextChoices):
    FULL_SHUTDOWN = "full_shutdown", _("Full shutdown")
    MOBILE_DATA = "mobile_data", _("Mobile data")
    FIXED_BROADBAND = "fixed_broadband", _("Fixed broadband")
    THROTTLING = "throttling", _("Throttling")
    PLATFORM_BLOCK = "platform_block", _("Platform block")
    UNKNOWN = "unknown", _("Not known")


class InternetService(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"
    X = "x", "X"
    TIKTOK = "tiktok", "TikTok"
    VPN = "vpn", _("VPNs")
    SMS = "sms", _("SMS")
    VOICE = "voice", _("Voice calls")


class BlockageAuthority(models.TextChoices):
    """Who ordered a blockage: STOP's ``ordered_by`` (``label_stop`` is the dataset's wording)."""

    EXECUTIVE = "executive", _("Executive government")
    JUDICIARY = "judiciary", _("Judiciary")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement or security services")
    TELECOM_REGULATOR = "telecom_regulator", _("Telecommunications regulator")
    ELECTION_BODY = "election_body", _("Election commission")
    PROVIDER = "provider", _("Internet provider, of its own accord")
    UNKNOWN = "unknown", _("Not known")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    DOCUMENT = "document", _("Document")


class EventAction(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    EDITED = "edited", _("Edited")
    CLAIMED = "claimed", _("Claimed")
    RELEASED = "released", _("Claim released")
    CLAIM_EXPIRED = "claim_expired", _("Claim expired")
    CLAIM_BROKEN = "claim_broken", _("Claim broken")
    REASSIGNED = "reassigned", _("Reassigned")
    VERIFIED = "verified", _("Verified")
    APPROVED = "approved", _("Publication approved")
    ASKED = "asked", _("Information requested")
    ANSWERED = "answered", _("Observer answered")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Marked as duplicate")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")
    COMMENTED = "commented", _("Internal comment")
    ATTACHED = "attached", _("Files attached")
    OONI_ATTACHED = "ooni_attached", _("OONI measurement attached")
    OONI_DETACHED = "ooni_detached", _("OONI measurement detached")
    OONI_NONE = "ooni_none", _("No OONI measurement supports it")
