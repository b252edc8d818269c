from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from . import permissions
from .models import Attachment

#: Django's language switch, without a CSRF token: another site can do no more with it than
#: change a visitor's display language (the redirect after it stays on this site), and pages
#: whose forms carry no token can be cached whole for every anonymous visitor.
set_language = csrf_exempt(i18n.set_language)

#: content types a browser may show inline; everything else is downloaded
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf", "video/mp4", "video/quicktime"}


@require_safe
def after_login(request):
    """Where a login leads: observers to their reports, staff to the admin."""
    if permissions.can_file(request.user):
        return redirect("report-list")
    if request.user.is_authenticated and request.user.is_staff:
        return redirect("admin:index")
    return redirect("home")


@require_safe
def attachment_file(request, pk):
    """Serve an attachment to whoever may see it; 404 to everyone else.

    Files are never served from a public folder: this view is the only way
    out, and it never lets a browser render a file as a page (no HTML, no SVG).
    """
    attachment = get_object_or_404(Attachment.objects.select_related("incident"), pk=pk)
    if not permissions.can_view_attachment(request.user, attachment):
        raise Http404
    content_type = attachment.content_type if attachment.content_type in INLINE_TYPES else "application/octet-stream"
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=content_type,
        as_attachment=content_type == "application/octet-stream",
        filename=f"{attachment.incident.reference}-{attachment.pk}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not attachment.is_public:
        response["Cache-Control"] = "private, no-store"
    return response
