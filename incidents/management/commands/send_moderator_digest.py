"""Send the moderators' digest of new reports if its window has passed.

Run it every minute (cron, a systemd timer or a task queue's scheduler), so
that the last reports of a burst reach the moderators without waiting for
the next report. Running it more often than the window sends nothing extra.
"""

from django.core.management.base import BaseCommand

from incidents import notifications


class Command(BaseCommand):
    help = "Mail moderators the reports that arrived since the last digest, if the digest window has passed."

    def handle(self, *args, **options):
        listed = notifications.moderator_digest_due()
        self.stdout.write(f"Reports listed: {listed}")
