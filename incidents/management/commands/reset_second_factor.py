"""Remove a staff member's second factor (a lost phone, no backup codes left).

Their next login sets up a new authenticator app. The reset is written to
the security log. In the admin, superusers and coordinators do the same with
the "Reset the second factor" action on the list of users.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from incidents import services


class Command(BaseCommand):
    help = "Remove the second factor (authenticator app and backup codes) of the named accounts."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+", metavar="USERNAME")

    def handle(self, *args, usernames, **options):
        User = get_user_model()
        users = {user.get_username(): user for user in User.objects.filter(username__in=usernames)}
        unknown = [name for name in usernames if name not in users]
        if unknown:
            raise CommandError(f"No such account: {', '.join(unknown)}. Nothing was reset.")
        for name in usernames:
            removed = services.second_factor_reset(user=users[name], actor=None)
            self.stdout.write(f"{name}: {removed} device(s) removed; a new app is set up at the next login.")
