"""What staff see in the Django admin.

``base`` holds what every page shares; ``reference`` the election's setup (regions, stations,
parties, results, organizations, observers); ``accounts`` user accounts and invitations;
``tokens`` API tokens; ``moderation`` the queue, the incident page, files and history.
Importing the package registers them all (Django's admin autodiscovery imports it).
"""

from ..results import admin as results  # noqa: F401 (protocol copies and the PVT sample)
from . import accounts, moderation, reference, tokens  # noqa: F401
