"""What staff see in the Django admin.

``base`` holds what every page shares; ``reference`` the election's setup (regions, stations,
parties, results, organizations, observers); ``accounts`` user accounts and invitations;
``tokens`` API tokens; ``moderation`` the queue, the incident page, files and history; ``sms`` the SMS inbox.
Importing the package registers them all (Django's admin autodiscovery imports it).
"""

from . import accounts, moderation, reference, sms, tokens  # noqa: F401
