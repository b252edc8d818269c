"""``manage.py release_expired_claims``: claims untouched for OBSERVER_CLAIM_MINUTES go back to the queue.

Run it every minute by cron, or let ``celery beat`` run the task of the same name.
"""

from django.core.management.base import BaseCommand

from incidents import services


class Command(BaseCommand):
    help = "Return to the queue every report whose claim nobody touched for OBSERVER_CLAIM_MINUTES."

    def handle(self, *args, **options):
        released = services.release_expired_claims()
        self.stdout.write(f"{released} claim(s) released.")
