"""The API's documentation pages, served from this site alone.

Swagger UI and Redoc come from drf-spectacular-sidecar's static files; the
pages carry no inline script (Swagger UI's start-up script is a file served
by the view itself), and load nothing from another host. Their stylesheets
draw icons as ``data:`` images, which these two pages alone allow; Redoc
also styles itself at run time and runs its search in a ``blob:`` worker.
Each page links back to the site.
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "Observer API"


@method_decorator(
    csp_update({"img-src": ["data:"], "style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]}), name="dispatch"
)
class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
    title = "Observer API"
