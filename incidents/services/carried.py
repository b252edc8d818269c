"""Filing the reports of an outbox file carried from a phone (the coordinator's upload).

Each report is filed as the phone would have sent it: under the observer its
pass names, with the idempotency key the phone made, through
``incident_submit_with_attachments``. The key becomes the same client token
and the body the same fingerprint as through the API, so a report the phone
sent itself, or one in a file uploaded before, is found and not filed again.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError as InputRefused

from .. import selectors
from ..api import idempotency
from ..api.report_serializers import ReportCreateSerializer
from ..report import outbox_file
from ..report.outbox_file import OutboxFileRefused
from .attachments import attachments_prepare, incident_submit_with_attachments
from .incidents import IdempotencyConflict

logger = logging.getLogger(__name__)


@dataclass
class CarriedFiling:
    filed: list = field(default_factory=list)  # incidents filed now
    already: list = field(default_factory=list)  # incidents filed before (by the phone, or an earlier upload)


def _reasons(detail, prefix=""):
    if isinstance(detail, dict):
        return [reason for key, value in detail.items() for reason in _reasons(value, f"{prefix}{key}.")]
    if isinstance(detail, list):
        return [reason for item in detail for reason in _reasons(item, prefix)]
    return [f"{prefix.rstrip('.')}: {detail}" if prefix else str(detail)]


def _checked(report, position, count, election):
    """The submission of one carried report, checked as the API checks it; OutboxFileRefused if it is refused."""

    def refuse(reasons):
        raise OutboxFileRefused(
            _("Report %(position)d of %(count)d in the file was refused (%(reasons)s). Nothing was filed.")
            % {"position": position, "count": count, "reasons": "; ".join(reasons)}
        )

    observer = outbox_file.observer_from_pass(report.pass_token)
    if observer is None:
        refuse([_("its observer's pass is not valid on this site")])
    try:
        key = idempotency.key_from_value(report.key)
    except InputRefused as error:
        refuse(_reasons(error.detail))
    with timezone.override(election.zone):
        serializer = ReportCreateSerializer(data=report.body, context={"election": election})
        if not serializer.is_valid():
            refuse(_reasons(serializer.errors))
    files = [SimpleUploadedFile(name, content, content_type=kind) for name, kind, content in report.files]
    try:
        for prepared in attachments_prepare(files):
            prepared.close()
    except ValidationError as error:
        refuse(error.messages)
    for upload in files:
        upload.seek(0)
    return {
        "reporter": observer,
        "election": election,
        **serializer.submission_values(),
        "client_token": idempotency.client_token(observer, key),
        "client_fingerprint": idempotency.fingerprint(serializer.canonical(), files),
        "attachments": files,
        "count_against_limit": False,
    }


def carried_outbox_file(*, data: bytes, actor) -> CarriedFiling:
    """File every report of a carried outbox file, each once.

    Every report is checked before anything is written: a file that is not
    one of ours, made for another key, damaged, or holding a refused report
    raises OutboxFileRefused and writes nothing. Reports already on the site
    (the same observer and key) are counted in ``already``.
    """
    private_key = outbox_file.site_private_key()
    if private_key is None:
        raise OutboxFileRefused(_("This site has no key for carried files (OBSERVER_OUTBOX_PRIVATE_KEY)."))
    reports = outbox_file.read(data, private_key)
    election = selectors.election_current()
    if election is None:
        raise OutboxFileRefused(_("No election is open for reports."))
    submissions = [_checked(report, i, len(reports), election) for i, report in enumerate(reports, start=1)]
    result = CarriedFiling()
    with transaction.atomic():
        for submission in submissions:
            try:
                filed = incident_submit_with_attachments(**submission)
            except IdempotencyConflict:
                # The phone sent this key with other values first: the report it sent stands.
                token = submission["client_token"]
                result.already.append(selectors.observer_report_by_client_token(submission["reporter"], token))
                continue
            (result.filed if filed.created else result.already).append(filed.incident)
    logger.info(
        "Carried outbox file uploaded by user %s: %d filed, %d already there",
        actor.pk,
        len(result.filed),
        len(result.already),
    )
    return result
