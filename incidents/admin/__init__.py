"""What staff see in the Django admin.

``base`` holds what every page shares; ``reference`` the election's setup (regions, stations,
parties, results, organizations, observers); ``accounts`` user accounts and invitations;
``tokens`` API tokens; ``evidence`` OONI measurements; ``moderation`` the queue, the incident
page, files and history; ``carried`` the upload of outbox files carried from observers' phones
(/admin/carried-outbox/); ``sms`` the SMS inbox. Importing the package registers them all
(Django's admin autodiscovery imports it).
"""

from ..results import pvt_admin  # noqa: F401 (protocol copies and the PVT sample)
from . import accounts, carried, evidence, moderation, reference, sms, tokens  # noqa: F401
