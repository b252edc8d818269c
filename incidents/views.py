import io

from django.http import FileResponse, Http404, HttpResponse
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
#: the extension a downloaded file gets, by its checked content type
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
}
#: a photo's rendition for a phone (``?size=phone``): its long side at most this many pixels
PHONE_SIDE = 720
RENDITION_TYPES = {"image/jpeg", "image/png", "image/webp"}


def file_name(attachment):
    """``<reference>-<id>.<ext>``: never the uploader's file name, always an extension that opens it."""
    extension = EXTENSIONS.get(attachment.content_type)
    name = f"{attachment.incident.reference}-{attachment.pk}"
    return f"{name}.{extension}" if extension else name


def phone_rendition(attachment):
    """The photo scaled down to PHONE_SIDE (JPEG, quality 80), as bytes. The stored file is already stripped
    of its metadata; the rendition is a new image with none."""
    from PIL import Image

    with attachment.file.open("rb") as stored, Image.open(stored) as image:
        image.thumbnail((PHONE_SIDE, PHONE_SIDE))
        output = io.BytesIO()
        image.convert("RGB").save(output, "JPEG", quality=80, optimize=True)
    return output.getvalue()


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
    if request.GET.get("size") == "phone" and attachment.content_type in RENDITION_TYPES:
        response = HttpResponse(phone_rendition(attachment), content_type="image/jpeg")
        response["Content-Disposition"] = f'inline; filename="{file_name(attachment).rsplit(".", 1)[0]}-phone.jpg"'
    else:
        response = FileResponse(
            attachment.file.open("rb"),
            content_type=content_type,
            as_attachment=content_type == "application/octet-stream",
            filename=file_name(attachment),
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not attachment.is_public:
        response["Cache-Control"] = "private, no-store"
    return response
