"""The API's documentation pages, served from this site alone.

Swagger UI and Redoc come from drf-spectacular-sidecar's static files; the
pages carry no inline script or style (Swagger UI's start-up script is a
file served by the view itself), and load nothing from another host.
"""

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "Observer API"


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
    title = "Observer API"
