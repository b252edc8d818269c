"""The site's URLs and the ceiling page of the load benchmark."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from observer.urls import urlpatterns as site_urlpatterns


@require_safe
def ceiling(request):
    """A minimal Django view: every middleware of the site runs, no database, no template.

    What the stack itself costs on this machine; every page's throughput is
    reported as a share of this one's.
    """
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling), *site_urlpatterns]
