"""Mail about incidents, sent by receivers of ``signals.incident_changed``.

The signal is sent only after the change has committed, so a change that
is rolled back sends nothing. Every message leaves through ``deliver``, which
hands it to the task queue (Celery, ``send_mail``): with a broker, a worker
sends it and retries while the mail server is away; without one (one
machine, the test suite) it is sent at once.

- The observer hears when their report needs information, is rejected (or
  marked as a duplicate) or is published. The mail names no moderator and
  carries no internal note: only the question or the reason written for them.
- Moderators hear about new reports (and observers' answers) in a digest:
  the first report after a quiet spell is sent at once, the ones that follow
  within OBSERVER_MODERATOR_DIGEST_MINUTES wait for the next digest, which
  the next report after the window (or ``manage.py send_moderator_digest``
  run every minute by cron, or the ``send_moderator_digest`` task run every
  minute by ``celery beat``) sends. A flood of reports is a handful of mails.
  Each moderator's digest lists and counts only the reports of their regions
  (``permissions.moderation_scope``); one with none waiting gets no mail.
- A moderator whose claim expired or was broken by a coordinator hears of it,
  with the coordinator's reason.
"""

import datetime
import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from . import permissions, selectors
from .models import EventAction, Incident, IncidentEvent, Status
from .workflow import CLAIM_ENDINGS, QUEUE_STATUSES

logger = logging.getLogger(__name__)

#: the observer hears of these steps, by the status their report reached
OBSERVER_MAIL = {Status.NEEDS_INFO: "needs_info", Status.REJECTED: "rejected", Status.PUBLISHED: "published"}
#: events that put a report in front of moderators
NEW_WORK = (EventAction.SUBMITTED, EventAction.ANSWERED)

DIGEST_WINDOW_KEY = "notifications:moderator-digest:window"
DIGEST_STATE_KEY = "notifications:moderator-digest:state"
#: a report committed this long after its event was written is still caught by the next digest
DIGEST_OVERLAP = datetime.timedelta(minutes=5)
#: a digest lists at most this many reports, then says how many more there are
DIGEST_MAX_LISTED = 50


#: a message the mail server did not take is tried again this many times, further apart each time
MAIL_RETRIES = 8


def deliver(messages):
    """Queue ``messages`` (plain-text EmailMessage objects) to be sent, by a
    worker when there is a task queue, at once otherwise."""
    if messages:
        send_mail.delay([_as_data(message) for message in messages])


def _as_data(message):
    # Tasks travel as JSON; the messages written here have a subject, a body and addresses only.
    return {"subject": message.subject, "body": message.body, "from_email": message.from_email, "to": message.to}


@shared_task(name="incidents.send_mail", bind=True, max_retries=MAIL_RETRIES)
def send_mail(task, messages):
    """Send ``messages`` (dicts of EmailMessage arguments) over one connection.

    If the mail server fails part-way, only the messages not yet sent are
    tried again later; run at once (no task queue), the error is raised.
    """
    sent = 0
    try:
        with get_connection() as connection:
            for data in messages:
                connection.send_messages([EmailMessage(**data)])
                sent += 1
    except (OSError, smtplib.SMTPException) as error:
        if task.request.is_eager:
            raise
        logger.warning("Mail server failed (%s); %d message(s) will be tried again", error, len(messages) - sent)
        raise task.retry(
            args=[messages[sent:]], exc=error, countdown=min(30 * 2**task.request.retries, 3600)
        ) from error
    return sent


@shared_task(name="incidents.send_moderator_digest")
def send_moderator_digest_task():
    """The periodic digest (celery beat, every minute): ``moderator_digest_due``."""
    return moderator_digest_due()


@shared_task(name="incidents.release_expired_claims")
def release_expired_claims_task():
    """The periodic release of claims untouched for OBSERVER_CLAIM_MINUTES (celery beat, every minute)."""
    from . import services

    return services.release_expired_claims()


def on_incident_changed(sender, *, incident, action, actor, event=None, **kwargs):
    """Receiver of ``incident_changed``. A failed mail is logged, never raised:
    the change it reports has already been committed."""
    try:
        if event is not None and _observer_hears(event):
            notify_reporter(incident, event)
        if event is not None and action in CLAIM_ENDINGS:
            notify_claim_holder(incident, event)
        if action in NEW_WORK:
            moderator_digest_due(event=event)
    except Exception:
        logger.exception("Notification about incident %s (%s) failed", incident.pk, action)


def _observer_hears(event):
    return event.visible_to_observer and event.to_status in OBSERVER_MAIL and event.from_status != event.to_status


def deliverable(address):
    """Whether mail to ``address`` can arrive: not empty, not under the reserved
    ``.invalid`` domain (which the demo accounts use)."""
    return bool(address) and not address.rsplit("@", 1)[-1].lower().rstrip(".").endswith(".invalid")


def site_link(path):
    return f"{settings.OBSERVER_SITE_URL.rstrip('/')}{path}"


def _render(name, context):
    with translation.override(settings.OBSERVER_MAIL_LANGUAGE):
        subject = " ".join(render_to_string(f"notifications/{name}_subject.txt", context).split())
        body = render_to_string(f"notifications/{name}_email.txt", context)
    return subject, body


def reporter_message(incident, event):
    """The mail to ``incident``'s reporter about ``event``, or None if there is nobody to tell."""
    reporter = incident.reporter
    user = reporter.user if reporter is not None else None
    if user is None or not user.is_active or not deliverable(user.email):
        return None
    name = OBSERVER_MAIL[event.to_status]
    is_duplicate = event.action == EventAction.MERGED
    if is_duplicate:
        name = "duplicate"
    public_url = None
    if event.to_status == Status.PUBLISHED:
        try:
            public_url = site_link(incident.get_absolute_url())
        except NoReverseMatch:  # the public pages are not installed
            public_url = None
    context = {
        "reference": incident.reference,
        "election": incident.election.name,
        # the question asked or the reason given, written for the observer; never for a duplicate,
        # whose reason names another report
        "message": "" if is_duplicate else event.comment,
        "public_url": public_url,
        "site_url": site_link("/"),
    }
    subject, body = _render(f"observer_{name}", context)
    return EmailMessage(subject, body, None, [user.email])


def claim_holder_message(incident, event):
    """The mail to the moderator whose claim ``event`` ended (expired, or broken by a coordinator)."""
    holder_id = (event.changes.get("assignee") or [None])[0]
    holder = get_user_model().objects.filter(pk=holder_id, is_active=True).first() if holder_id else None
    if holder is None or not deliverable(holder.email):
        return None
    context = {
        "reference": incident.reference,
        "expired": event.action == EventAction.CLAIM_EXPIRED,
        "by": event.actor.get_username() if event.actor else "",
        "reason": event.comment,
        "minutes": settings.OBSERVER_CLAIM_MINUTES,
        "url": site_link(reverse("admin:incidents_incident_change", args=[incident.pk])),
    }
    subject, body = _render("moderator_claim_ended", context)
    return EmailMessage(subject, body, None, [holder.email])


def notify_claim_holder(incident, event):
    message = claim_holder_message(incident, event)
    if message is not None:
        deliver([message])


def notify_reporter(incident, event):
    message = reporter_message(incident, event)
    if message is not None:
        deliver([message])


def moderator_digest_due(*, event=None, now=None):
    """Send the moderators' digest unless one went out within the window.

    Returns the number of reports it listed (0 when it waited or had none).
    With OBSERVER_MODERATOR_DIGEST_MINUTES = 0, ``event`` is sent on its own.
    """
    minutes = settings.OBSERVER_MODERATOR_DIGEST_MINUTES
    if minutes <= 0:
        return send_moderator_digest(events=[event] if event is not None else None, now=now)
    if not cache.add(DIGEST_WINDOW_KEY, True, timeout=minutes * 60):
        return 0
    return send_moderator_digest(now=now)


def _digest_events(now):
    """The new reports and answers since the last digest that still wait for a
    moderator: ``(pk, region id)`` of each, oldest first, and their queryset."""
    state = cache.get(DIGEST_STATE_KEY) or {}
    since = (
        datetime.datetime.fromisoformat(state["until"])
        if "until" in state
        else now - datetime.timedelta(minutes=max(settings.OBSERVER_MODERATOR_DIGEST_MINUTES, 1))
    )
    waiting = (
        IncidentEvent.objects.filter(
            action__in=NEW_WORK,
            created_at__gt=since - DIGEST_OVERLAP,
            created_at__lte=now,
            incident__status=Status.SUBMITTED,
        )
        .exclude(pk__in=state.get("sent", []))
        .order_by("created_at", "pk")
    )
    found = list(waiting.values_list("pk", "created_at", "incident__region_id"))
    # Events written just before ``now`` are remembered, so that the overlap
    # of the next digest (for transactions that committed late) does not list them again.
    recent = [pk for pk, created_at, _region in found if created_at > now - DIGEST_OVERLAP]
    recent += [pk for pk in state.get("sent", []) if pk not in recent]
    cache.set(DIGEST_STATE_KEY, {"until": now.isoformat(), "sent": recent[:5000]}, timeout=None)
    return [(pk, region_id) for pk, _created, region_id in found], waiting


def digest_recipients():
    """``[(scope, addresses)]``: who gets which digest. The addresses of OBSERVER_MODERATOR_DIGEST_TO get
    every report (scope None); else each moderator gets the reports of their regions, moderators of the
    same regions sharing one list."""
    if settings.OBSERVER_MODERATOR_DIGEST_TO:
        addresses = [address for address in settings.OBSERVER_MODERATOR_DIGEST_TO if deliverable(address)]
        return [(None, addresses)] if addresses else []
    groups = {}
    for user in selectors.moderators():
        if deliverable(user.email):
            groups.setdefault(permissions.moderation_scope(user), []).append(user.email)
    return list(groups.items())


def _in(scope, region_id):
    return scope is None or region_id in scope


def send_moderator_digest(*, events=None, now=None):
    """Mail every moderator one list of the reports of their regions waiting since the last
    digest (or of ``events``). Returns how many reports it counted."""
    now = now or timezone.now()
    if events is not None:
        found = [(event.pk, event.incident.region_id) for event in events]
        known = {event.pk: event for event in events}
        waiting = None
    else:
        found, waiting = _digest_events(now)
    if not found:
        return 0
    messages = []
    for scope, addresses in digest_recipients():
        ids = [pk for pk, region_id in found if _in(scope, region_id)]
        if not ids or not addresses:
            continue
        if waiting is None:
            listed = [known[pk] for pk in ids[:DIGEST_MAX_LISTED]]
        else:
            listed = list(
                waiting.filter(pk__in=ids[:DIGEST_MAX_LISTED]).select_related(
                    "incident__election", "incident__region", "incident__polling_station"
                )
            )
        queue = Incident.objects.filter(status__in=QUEUE_STATUSES)
        if scope is not None:
            queue = queue.filter(region_id__in=scope)
        subject, body = _digest_text(len(ids), listed, queue.count())
        messages += [EmailMessage(subject, body, None, [address]) for address in addresses]
    deliver(messages)
    return len(found)


def _digest_text(count, listed, waiting):
    with translation.override(settings.OBSERVER_MAIL_LANGUAGE):
        rows = [
            {
                "reference": event.incident.reference,
                "kind": event.incident.get_kind_display(),
                "region": event.incident.region.name if event.incident.region else "",
                "station": event.incident.polling_station.number if event.incident.polling_station else "",
                "occurred_at": event.incident.occurred_at,
                "time_zone": event.incident.election.time_zone,
                "answered": event.action == EventAction.ANSWERED,
                "url": site_link(reverse("admin:incidents_incident_change", args=[event.incident.pk])),
            }
            for event in listed
        ]
        context = {
            "count": count,
            "rows": rows,
            "more": max(count - len(rows), 0),
            "waiting": waiting,
            "queue_url": site_link(reverse("admin:incidents_incident_changelist")),
        }
        return _render("moderator_digest", context)
