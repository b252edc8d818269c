"""Request limits per anonymous client and per user, counted in the cache
(Redis when ``REDIS_URL`` is set, so every app process shares the counts).

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (set by
``OBSERVER_API_ANON_RATE`` and ``OBSERVER_API_USER_RATE``) and are read when
a request comes in, not when this module is imported.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _RateFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonymousClientThrottle(_RateFromSettings, AnonRateThrottle):
    """Requests without a login, counted per client address (see OBSERVER_API_NUM_PROXIES)."""

    scope = "anonymous"


class UserThrottle(_RateFromSettings, UserRateThrottle):
    """Requests of a logged-in user (token or session), counted per user."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # counted by AnonymousClientThrottle
        return super().get_cache_key(request, view)
