"""The production settings plus one page: ``/bench/ceiling/``, the cheapest answer Django gives here.

Used only by the app servers that `make bench` and `make faults` start.
"""

from observer.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
