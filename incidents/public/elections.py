"""Public pages under ``/e/<slug>/``: the same pages, for one election.

``in_election(view)`` answers ``/e/<slug>/…`` with ``view`` as if ``?election=<slug>`` had been
asked (the path's election wins over the query's), so that every page, export, feed and map
serves one election, and today's addresses keep answering for the current one. An unknown
election is a 404.
"""

from functools import wraps

from django.http import Http404
from django.utils.translation import gettext as _

from ..models import Election


def in_election(view):
    @wraps(view)
    def wrapped(request, election, *args, **kwargs):
        if not Election.objects.filter(slug=election).exists():
            raise Http404(_("There is no election “%(slug)s”.") % {"slug": election})
        query = request.GET.copy()
        query["election"] = election
        request.GET = query
        return view(request, *args, **kwargs)

    return wrapped
