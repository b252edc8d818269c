"""Files sent with a report: checked, cleaned of metadata, hashed, stored.

The type of a file is read from its content, never from its name or the
type the browser claims. Photos are decoded and written again, so nothing
but the pixels survives (no EXIF, no GPS, no XMP, no comments); videos and
M4A audio have their metadata boxes (where phones put the place a video was
shot) blanked in place; PDFs lose their document information (/Info: author,
creator, producer) and their XMP metadata (pikepdf), other audio its tags
(ID3, APE, Vorbis comments, … through mutagen). A file that cannot be cleaned
is refused, so nothing is kept, or made public, with its metadata. Pictures
are measured from their header before a pixel is decoded. Every refusal is a ValidationError keyed by
``attachments`` (FIELD), so that a form or an API answer can put the message
next to its file field; when a file is refused nothing at all is stored.
"""

import hashlib
import io
import struct
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

import mutagen
import mutagen.apev2
import pikepdf
import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .. import permissions
from ..models import Attachment, AttachmentKind, EventAction
from .incidents import Submission, TransitionForbidden, incident_edit, incident_submit, record_event

#: the key of every ValidationError raised here
FIELD = "attachments"
#: bytes read to tell a file's type
HEAD_BYTES = 8192
CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    kind: str
    content_type: str
    extension: str


#: accepted types, by the extensions the content detector may name them with
ACCEPTED = {
    ".jpg": FileType(AttachmentKind.PHOTO, "image/jpeg", ".jpg"),
    ".jpeg": FileType(AttachmentKind.PHOTO, "image/jpeg", ".jpg"),
    ".jfif": FileType(AttachmentKind.PHOTO, "image/jpeg", ".jpg"),
    ".jpe": FileType(AttachmentKind.PHOTO, "image/jpeg", ".jpg"),
    ".png": FileType(AttachmentKind.PHOTO, "image/png", ".png"),
    ".webp": FileType(AttachmentKind.PHOTO, "image/webp", ".webp"),
    # An M4A recording is an MP4 container too: audio is preferred when the detector names both.
    ".m4a": FileType(AttachmentKind.AUDIO, "audio/mp4", ".m4a"),
    ".f4a": FileType(AttachmentKind.AUDIO, "audio/mp4", ".m4a"),
    ".mp4": FileType(AttachmentKind.VIDEO, "video/mp4", ".mp4"),
    ".mov": FileType(AttachmentKind.VIDEO, "video/quicktime", ".mov"),
    ".qt": FileType(AttachmentKind.VIDEO, "video/quicktime", ".mov"),
    ".mp3": FileType(AttachmentKind.AUDIO, "audio/mpeg", ".mp3"),
    ".mpga": FileType(AttachmentKind.AUDIO, "audio/mpeg", ".mp3"),
    ".ogg": FileType(AttachmentKind.AUDIO, "audio/ogg", ".ogg"),
    ".oga": FileType(AttachmentKind.AUDIO, "audio/ogg", ".ogg"),
    ".opus": FileType(AttachmentKind.AUDIO, "audio/ogg", ".ogg"),
    ".wav": FileType(AttachmentKind.AUDIO, "audio/wav", ".wav"),
    ".amr": FileType(AttachmentKind.AUDIO, "audio/amr", ".amr"),
    ".aac": FileType(AttachmentKind.AUDIO, "audio/aac", ".aac"),
    ".flac": FileType(AttachmentKind.AUDIO, "audio/flac", ".flac"),
    ".pdf": FileType(AttachmentKind.DOCUMENT, "application/pdf", ".pdf"),
}
#: the order in which equally likely readings of one file are preferred
PREFERENCE = list(ACCEPTED)
#: what a file input may offer the observer (the server decides by content regardless)
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,video/mp4,video/quicktime,audio/*,application/pdf"
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
ISO_MEDIA_TYPES = {"video/mp4", "video/quicktime", "audio/mp4"}


@dataclass
class PreparedAttachment:
    """A file that passed every check, cleaned and hashed, not yet stored.

    Only ``attachments_prepare`` makes these; the services store them as they are.
    """

    content: BinaryIO
    file_type: FileType
    size: int
    sha256: str
    original_name: str
    stored_name: str = field(default="", init=False)

    def close(self):
        self.content.close()


def refuse(message):
    raise ValidationError({FIELD: [message]})


def detect_type(head: bytes) -> FileType | None:
    """The accepted type ``head`` (the first bytes of a file) is, or None."""
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        return None
    readings = [match for match in matches if match.extension.lower() in ACCEPTED]
    if not readings:
        return None
    best = max(match.confidence for match in readings)
    likeliest = [match.extension.lower() for match in readings if match.confidence == best]
    return ACCEPTED[min(likeliest, key=PREFERENCE.index)]


def _name_of(uploaded_file):
    return PurePosixPath(str(getattr(uploaded_file, "name", "") or "").replace("\\", "/")).name[:255]


def _label(uploaded_file, position):
    return _name_of(uploaded_file) or _("file %(number)d") % {"number": position}


def _hash(stream):
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(CHUNK_BYTES), b""):
        digest.update(chunk)
    size = stream.tell()
    stream.seek(0)
    return digest.hexdigest(), size


def _clean_image(uploaded_file, file_type, label):
    """Decode the picture and write its pixels again, upright, with no metadata."""
    uploaded_file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded_file, formats=[PILLOW_FORMATS[file_type.content_type]]) as image:
                width, height = image.size
                if width * height > settings.OBSERVER_IMAGE_MAX_PIXELS:
                    refuse(_("“%(name)s” has too many pixels for a photo.") % {"name": label})
                image.load()
                icc_profile = image.info.get("icc_profile")
                upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Warning, Exception):
        # A picture that does not decode, whatever the reason, is refused (never a server error).
        refuse(_("“%(name)s” is not a picture that can be opened.") % {"name": label})
    pixels = upright.copy()
    pixels.info.clear()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if file_type.content_type == "image/jpeg":
        if pixels.mode not in ("RGB", "L", "CMYK"):
            pixels = pixels.convert("RGB")
        options.update(quality=90, optimize=True)
    elif file_type.content_type == "image/webp":
        if pixels.mode not in ("RGB", "RGBA"):
            pixels = pixels.convert("RGBA" if pixels.has_transparency_data else "RGB")
        options.update(quality=90)
    else:
        options.update(optimize=True)
    cleaned = io.BytesIO()
    pixels.save(cleaned, format=PILLOW_FORMATS[file_type.content_type], **options)
    cleaned.seek(0)
    return cleaned


#: boxes of an MP4/QuickTime file that hold metadata (the place of shooting among it)
METADATA_BOXES = {b"udta", b"meta"}
#: Adobe XMP, which may hold a location too
XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
#: boxes whose children are searched for metadata boxes
ISO_CONTAINERS = {b"moov", b"trak"}


def _blank_iso_metadata(stream, start, end, depth=0):
    """Turn every metadata box into a ``free`` box of the same size, zero-filled.

    Sizes and offsets stay as they were, so the media data still plays.
    Raises ValueError when the box structure is damaged.
    """
    position = start
    while position + 8 <= end:
        stream.seek(position)
        size, box_type = struct.unpack(">I4s", stream.read(8))
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", stream.read(8))
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end or depth > 8:
            raise ValueError("damaged box structure")
        is_xmp = box_type == b"uuid" and stream.read(16) == XMP_UUID
        if box_type in METADATA_BOXES or is_xmp:
            stream.seek(position + 4)
            stream.write(b"free")
            stream.seek(position + header)
            remaining = size - header
            while remaining:
                step = min(remaining, CHUNK_BYTES)
                stream.write(bytes(step))
                remaining -= step
        elif box_type in ISO_CONTAINERS:
            _blank_iso_metadata(stream, position + header, position + size, depth + 1)
        position += size


def _copy_to_temporary(uploaded_file):
    copy = tempfile.TemporaryFile()  # noqa: SIM115 - kept open until stored, then closed
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks(CHUNK_BYTES) if hasattr(uploaded_file, "chunks") else [uploaded_file.read()]:
        copy.write(chunk)
    copy.seek(0)
    return copy


def _clean_iso_media(uploaded_file, label):
    copy = _copy_to_temporary(uploaded_file)
    copy.seek(0, io.SEEK_END)
    end = copy.tell()
    try:
        _blank_iso_metadata(copy, 0, end)
    except (ValueError, struct.error):
        copy.close()
        refuse(_("“%(name)s” is a damaged video or audio file.") % {"name": label})
    copy.seek(0)
    return copy


def _clean_pdf(uploaded_file, label):
    """The PDF written again without its document information and XMP metadata (the author's name
    among them). QPDF writes only the objects still reachable, so earlier revisions go too."""
    copy = _copy_to_temporary(uploaded_file)
    cleaned = tempfile.TemporaryFile()  # noqa: SIM115 - kept open until stored, then closed
    try:
        with pikepdf.open(copy) as pdf:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for holder in [pdf.Root, *(page.obj for page in pdf.pages)]:
                for key in ("/Metadata", "/PieceInfo"):
                    if key in holder:
                        del holder[key]
            pdf.save(cleaned, fix_metadata_version=False)
    except (pikepdf.PdfError, ValueError, OSError, RecursionError):
        cleaned.close()
        refuse(_("“%(name)s” is a damaged PDF.") % {"name": label})
    finally:
        copy.close()
    cleaned.seek(0)
    return cleaned


def _clean_audio(uploaded_file, label):
    """The recording without its tags (ID3, APE, Vorbis comments, RIFF INFO): what mutagen can read,
    it deletes; a recording whose tags cannot be removed is refused."""
    copy = _copy_to_temporary(uploaded_file)
    try:
        audio = mutagen.File(copy)
        if audio is not None and audio.tags is not None:
            copy.seek(0)
            audio.delete(copy)
        copy.seek(0)
        mutagen.apev2.delete(copy)
        copy.seek(0)
        again = mutagen.File(copy)
        if again is not None and again.tags:
            raise mutagen.MutagenError("tags left")
    except (mutagen.MutagenError, ValueError, OSError, struct.error):
        copy.close()
        refuse(_("“%(name)s” is a damaged audio file.") % {"name": label})
    copy.seek(0)
    return copy


def attachment_prepare(uploaded_file, *, position=1) -> PreparedAttachment:
    """Check one uploaded file and clean it. Raises ValidationError keyed by FIELD."""
    label = _label(uploaded_file, position)
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
    if not size:
        refuse(_("“%(name)s” is empty.") % {"name": label})
    if size > settings.OBSERVER_ATTACHMENT_MAX_BYTES:
        refuse(
            _("“%(name)s” is too large (%(size)s); a file may be at most %(limit)s.")
            % {
                "name": label,
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.OBSERVER_ATTACHMENT_MAX_BYTES),
            }
        )
    uploaded_file.seek(0)
    file_type = detect_type(uploaded_file.read(HEAD_BYTES))
    if file_type is None:
        refuse(
            _(
                "“%(name)s”: this kind of file is not accepted. "
                "Send photos (JPEG, PNG, WebP), videos (MP4, MOV), audio or PDF."
            )
            % {"name": label}
        )
    if file_type.kind == AttachmentKind.PHOTO:
        content = _clean_image(uploaded_file, file_type, label)
    elif file_type.content_type in ISO_MEDIA_TYPES:
        content = _clean_iso_media(uploaded_file, label)
    elif file_type.content_type == "application/pdf":
        content = _clean_pdf(uploaded_file, label)
    elif file_type.kind == AttachmentKind.AUDIO:
        content = _clean_audio(uploaded_file, label)
    else:
        refuse(_("“%(name)s”: this kind of file is not accepted.") % {"name": label})
    sha256, stored_size = _hash(content)
    return PreparedAttachment(
        content=content,
        file_type=file_type,
        size=stored_size,
        sha256=sha256,
        original_name=_name_of(uploaded_file),
    )


def attachments_prepare(uploaded_files, *, incident=None) -> list[PreparedAttachment]:
    """Check and clean several files for one report (new, or ``incident``).

    Enforces OBSERVER_ATTACHMENT_MAX_BYTES per file, and
    OBSERVER_ATTACHMENTS_PER_REPORT files and OBSERVER_ATTACHMENTS_MAX_BYTES
    in all per report, counting what ``incident`` already has. A file sent
    twice is kept once. Raises ValidationError keyed by FIELD listing every
    refused file; nothing is kept open then.
    """
    prepared, errors, seen = [], [], set()
    if incident is not None:
        existing = incident.attachments.aggregate(total=Sum("size"))
        seen = set(incident.attachments.values_list("sha256", flat=True))
        count, total = len(seen), existing["total"] or 0
    else:
        count, total = 0, 0
    for position, uploaded_file in enumerate(uploaded_files, start=1):
        if isinstance(uploaded_file, PreparedAttachment):
            item = uploaded_file
        else:
            try:
                item = attachment_prepare(uploaded_file, position=position)
            except ValidationError as error:
                errors.extend(error.message_dict[FIELD])
                continue
        if item.sha256 in seen:
            item.close()
            continue
        seen.add(item.sha256)
        prepared.append(item)
        count += 1
        total += item.size
    if not errors and count > settings.OBSERVER_ATTACHMENTS_PER_REPORT:
        errors.append(
            _("A report may have at most %(limit)d files.") % {"limit": settings.OBSERVER_ATTACHMENTS_PER_REPORT}
        )
    if not errors and total > settings.OBSERVER_ATTACHMENTS_MAX_BYTES:
        errors.append(
            _("The files of one report may take at most %(limit)s in all.")
            % {"limit": filesizeformat(settings.OBSERVER_ATTACHMENTS_MAX_BYTES)}
        )
    if errors:
        for item in prepared:
            item.close()
        raise ValidationError({FIELD: errors})
    return prepared


def _store(*, incident, prepared, actor, stored_names):
    attachments = []
    for item in prepared:
        attachment = Attachment(
            incident=incident,
            kind=item.file_type.kind,
            content_type=item.file_type.content_type,
            size=item.size,
            sha256=item.sha256,
            original_name=item.original_name,
            uploaded_by=actor,
        )
        # The stored name is made by the model's upload_to: a random name with the type's extension.
        attachment.file.save(f"upload{item.file_type.extension}", File(item.content), save=False)
        stored_names.append(attachment.file.name)
        attachment.save()
        attachments.append(attachment)
    reporter_user = incident.reporter.user if incident.reporter_id else None
    record_event(
        incident=incident,
        action=EventAction.ATTACHED,
        actor=actor,
        changes={
            "added": [
                {"id": a.pk, "kind": a.kind, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
                for a in attachments
            ]
        },
        visible_to_observer=actor is not None and reporter_user is not None and actor.pk == reporter_user.pk,
    )
    return attachments


class _StoredFiles:
    """Stored files to remove again if the transaction that records them fails."""

    def __init__(self, prepared):
        self.prepared = prepared
        self.names = []

    def __enter__(self):
        return self.names

    def __exit__(self, exc_type, exc, traceback):
        for item in self.prepared:
            item.close()
        if exc_type is not None:
            storage = Attachment._meta.get_field("file").storage
            for name in self.names:
                storage.delete(name)
        return False


def attachments_add(*, incident, uploaded_files, actor) -> list[Attachment]:
    """Attach files to ``incident``, recorded as one ``attached`` event.

    ``uploaded_files`` are uploaded files or PreparedAttachments. All are
    stored or none: a refused file raises ValidationError keyed by FIELD
    before anything is written. Returns the new attachments (files already
    attached to the incident are skipped).
    """
    if not permissions.can_attach(actor, incident):
        raise TransitionForbidden(_("You may not add files to this report."))
    prepared = attachments_prepare(uploaded_files, incident=incident)
    if not prepared:
        return []
    with _StoredFiles(prepared) as stored_names, transaction.atomic():
        return _store(incident=incident, prepared=prepared, actor=actor, stored_names=stored_names)


def attachment_add(*, incident, uploaded_file, actor) -> Attachment | None:
    """Attach one file; see ``attachments_add``. None if it was attached already."""
    added = attachments_add(incident=incident, uploaded_files=[uploaded_file], actor=actor)
    return added[0] if added else None


def incident_submit_with_attachments(*, attachments=(), **submission) -> Submission:
    """``incident_submit`` and its files in one transaction.

    The files are checked first: if one is refused, ValidationError (keyed by
    FIELD) is raised and nothing is written (no incident, no file, no event).
    A retry of an existing submission (same ``client_token``) stores no file
    again and answers with the incident already created.
    """
    prepared = attachments_prepare(attachments)
    if not prepared:
        return incident_submit(**submission)  # one transaction of its own, no savepoint inside another
    with _StoredFiles(prepared) as stored_names, transaction.atomic():
        result = incident_submit(**submission)
        if result.created and prepared:
            actor = submission.get("actor") or submission["reporter"].user
            _store(incident=result.incident, prepared=prepared, actor=actor, stored_names=stored_names)
    return result


def incident_edit_with_attachments(*, incident, actor, attachments=(), **edit):
    """``incident_edit`` and new files in one transaction: both are written, or neither.

    Raises what ``incident_edit`` and ``attachments_add`` raise. Returns the
    incident as it is afterwards.
    """
    with transaction.atomic():
        incident = incident_edit(incident=incident, actor=actor, **edit)
        if attachments:
            attachments_add(incident=incident, uploaded_files=attachments, actor=actor)
    return incident
