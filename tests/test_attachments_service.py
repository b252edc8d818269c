"""The attachment service: type by content, limits, metadata stripped, all or nothing."""

import datetime
import hashlib
import io
import secrets

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from incidents import services
from incidents.models import Attachment, DatePrecision, EventAction, Incident, IncidentEvent, IncidentKind, Status

from . import samples

pytestmark = pytest.mark.django_db


def stored_bytes(attachment):
    with attachment.file.open("rb") as stored:
        return stored.read()


def test_jpeg_with_gps_is_stored_without_any_metadata(submit, observer):
    original = samples.image_bytes("JPEG")
    # The test file really carries what must go: a GPS position, the camera, XMP.
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)[2] == samples.GPS_LATITUDE
    assert samples.CAMERA_MODEL.encode() in original and b"GPSLatitude" in original

    incident = submit()
    attachment = services.attachment_add(
        incident=incident, uploaded_file=samples.upload("IMG_0001.jpg", original), actor=observer.user
    )
    content = stored_bytes(attachment)
    image = Image.open(io.BytesIO(content))
    assert image.format == "JPEG"
    assert not image.getexif() and not image.getexif().get_ifd(0x8825)
    assert "exif" not in image.info and "xmp" not in image.info
    for marker in (b"Exif", b"GPS", b"xmp", samples.CAMERA_MODEL.encode()):
        assert marker not in content
    # Turned upright as the camera meant, since the orientation tag is gone.
    assert image.size == (48, 64)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    assert attachment.kind == "photo" and attachment.content_type == "image/jpeg"


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_png_and_webp_lose_their_metadata(submit, observer, image_format):
    original = samples.image_bytes(image_format)
    assert samples.CAMERA_MODEL.encode() in original
    attachment = services.attachment_add(
        incident=submit(), uploaded_file=samples.upload("picture", original), actor=observer.user
    )
    content = stored_bytes(attachment)
    assert samples.CAMERA_MODEL.encode() not in content
    assert not Image.open(io.BytesIO(content)).getexif()


def test_stored_name_is_never_the_uploaders(submit, observer):
    attachment = services.attachment_add(
        incident=submit(), uploaded_file=samples.jpeg_with_gps("Aigerim at Station 12.png"), actor=observer.user
    )
    assert "Aigerim" not in attachment.file.name
    assert attachment.file.name.endswith(".jpg")  # named by its content, not its name
    assert attachment.original_name == "Aigerim at Station 12.png"


def test_video_location_is_blanked_and_the_file_keeps_its_layout(submit, observer):
    original = samples.mp4_with_location()
    assert samples.VIDEO_LOCATION in original
    attachment = services.attachment_add(
        incident=submit(), uploaded_file=samples.upload("VID.mp4", original), actor=observer.user
    )
    content = stored_bytes(attachment)
    assert samples.VIDEO_LOCATION not in content and b"Secret track" not in content
    assert len(content) == len(original)
    assert content.endswith(b"\x00\x01\x02\x03" * 64)  # the media data is untouched
    assert attachment.kind == "video" and attachment.content_type == "video/mp4"


@pytest.mark.parametrize(
    ("brand", "kind", "content_type"),
    [(b"qt  ", "video", "video/quicktime"), (b"M4A ", "audio", "audio/mp4")],
)
def test_quicktime_and_m4a_by_content(brand, kind, content_type):
    prepared = services.attachments_prepare([samples.upload("clip.bin", samples.mp4_with_location(brand))])
    assert (prepared[0].file_type.kind, prepared[0].file_type.content_type) == (kind, content_type)


def test_damaged_video_is_refused():
    broken = samples.mp4_with_location()[:60] + b"\xff\xff\xff\xffmoov"
    with pytest.raises(ValidationError) as error:
        services.attachments_prepare([samples.upload("broken.mp4", broken)])
    assert "damaged" in str(error.value.message_dict["attachments"])


def test_pdf_is_accepted_as_document():
    prepared = services.attachments_prepare([samples.upload("notes.exe", samples.pdf_bytes())])
    assert prepared[0].file_type.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("photo.jpg", b"MZ\x90\x00" + bytes(200)),
        ("drawing.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("archive.pdf", b"PK\x03\x04" + bytes(200)),
    ],
    ids=["html-named-jpg", "exe-named-jpg", "svg", "zip-named-pdf"],
)
def test_forbidden_types_refused_whatever_their_name(name, content):
    with pytest.raises(ValidationError) as error:
        services.attachments_prepare([samples.upload(name, content, "image/jpeg")])
    assert "not accepted" in error.value.message_dict["attachments"][0]


def test_image_that_does_not_decode_is_refused():
    truncated = samples.image_bytes("PNG", size=(200, 200))[:80]
    with pytest.raises(ValidationError) as error:
        services.attachments_prepare([samples.upload("cut.png", truncated)])
    assert "not a picture that can be opened" in error.value.message_dict["attachments"][0]


def test_empty_file_refused():
    with pytest.raises(ValidationError):
        services.attachments_prepare([samples.upload("empty.jpg", b"")])


def test_too_many_pixels_refused_before_decoding(settings):
    settings.OBSERVER_IMAGE_MAX_PIXELS = 100
    with pytest.raises(ValidationError) as error:
        services.attachments_prepare([samples.jpeg_with_gps()])
    assert "too many pixels" in error.value.message_dict["attachments"][0]


def test_size_limits_per_file_per_report_and_count(settings, submit, observer):
    photo = samples.image_bytes("PNG", size=(300, 300), exif=False)
    settings.OBSERVER_ATTACHMENT_MAX_BYTES = len(photo) - 1
    with pytest.raises(ValidationError) as error:
        services.attachments_prepare([samples.upload("big.png", photo)])
    assert "too large" in error.value.message_dict["attachments"][0]

    settings.OBSERVER_ATTACHMENT_MAX_BYTES = 10**6
    settings.OBSERVER_ATTACHMENTS_MAX_BYTES = 2000
    with pytest.raises(ValidationError) as error:
        services.attachments_prepare(
            [
                # random text: a cleaned PDF is written again, compressed
                samples.upload("a.pdf", samples.pdf_bytes(secrets.token_hex(1500))),
                samples.upload("b.pdf", samples.pdf_bytes(secrets.token_hex(1500))),
            ]
        )
    assert "in all" in error.value.message_dict["attachments"][0]

    settings.OBSERVER_ATTACHMENTS_MAX_BYTES = 10**9
    settings.OBSERVER_ATTACHMENTS_PER_REPORT = 2
    incident = submit()
    services.attachments_add(
        incident=incident,
        uploaded_files=[samples.jpeg_with_gps(colour="red"), samples.jpeg_with_gps(colour="blue")],
        actor=observer.user,
    )
    with pytest.raises(ValidationError) as error:
        services.attachment_add(
            incident=incident, uploaded_file=samples.jpeg_with_gps(colour="green"), actor=observer.user
        )
    assert "at most 2 files" in error.value.message_dict["attachments"][0]
    assert incident.attachments.count() == 2


def test_one_refused_file_stores_none_of_them(submit, observer, private_media_root):
    incident = submit()
    with pytest.raises(ValidationError) as error:
        services.attachments_add(
            incident=incident,
            uploaded_files=[samples.jpeg_with_gps(), samples.upload("evil.jpg", b"<html></html>")],
            actor=observer.user,
        )
    assert "evil.jpg" in error.value.message_dict["attachments"][0]
    assert not Attachment.objects.exists()
    assert not incident.events.filter(action=EventAction.ATTACHED).exists()
    assert not any(path.is_file() for path in private_media_root.rglob("*"))


def test_files_are_recorded_as_one_event_the_observer_sees(submit, observer):
    incident = submit()
    added = services.attachments_add(
        incident=incident,
        uploaded_files=[samples.jpeg_with_gps(colour="red"), samples.upload("doc.pdf", samples.pdf_bytes())],
        actor=observer.user,
    )
    event = incident.events.get(action=EventAction.ATTACHED)
    assert event.visible_to_observer and event.actor == observer.user
    assert [item["id"] for item in event.changes["added"]] == [a.pk for a in added]
    assert all("name" not in item for item in event.changes["added"])


def test_the_same_file_twice_is_kept_once(submit, observer):
    incident = submit()
    services.attachments_add(
        incident=incident, uploaded_files=[samples.jpeg_with_gps(), samples.jpeg_with_gps()], actor=observer.user
    )
    assert (
        services.attachment_add(incident=incident, uploaded_file=samples.jpeg_with_gps(), actor=observer.user) is None
    )
    assert incident.attachments.count() == 1


def test_only_the_reporter_while_editable_or_a_moderator_may_attach(submit, observer, moderator):
    from tests import factories

    incident = submit()
    with pytest.raises(services.TransitionForbidden):
        services.attachment_add(
            incident=incident, uploaded_file=samples.jpeg_with_gps(), actor=factories.ObserverFactory().user
        )
    incident = services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    with pytest.raises(services.TransitionForbidden):
        services.attachment_add(incident=incident, uploaded_file=samples.jpeg_with_gps(), actor=observer.user)
    assert services.attachment_add(incident=incident, uploaded_file=samples.jpeg_with_gps(), actor=moderator)


def submission(observer, election, region, **overrides):
    values = {
        "reporter": observer,
        "election": election,
        "kind": IncidentKind.DETENTION,
        "region": region,
        "occurred_at": datetime.datetime(2021, 1, 10, 10, 30, tzinfo=datetime.UTC),
        "occurred_precision": DatePrecision.EXACT,
        "description": "Police took three people.",
        "details": {"people_detained": 3},
        "client_token": "web-one",
    }
    values.update(overrides)
    return values


def test_submit_with_attachments_is_all_or_nothing(observer, election, region, private_media_root):
    with pytest.raises(ValidationError):
        services.incident_submit_with_attachments(
            attachments=[samples.jpeg_with_gps(), samples.upload("x.jpg", b"not a picture at all")],
            **submission(observer, election, region),
        )
    assert not Incident.objects.exists() and not IncidentEvent.objects.exists() and not Attachment.objects.exists()
    assert not any(path.is_file() for path in private_media_root.rglob("*"))


def test_submit_with_attachments_rolls_back_files_when_the_report_is_refused(
    observer, election, region, private_media_root
):
    with pytest.raises(ValidationError) as error:
        services.incident_submit_with_attachments(
            attachments=[samples.jpeg_with_gps()],
            **submission(observer, election, region, details={"people_detained": -1}),
        )
    assert "people_detained" in error.value.message_dict
    assert not Attachment.objects.exists()
    assert not any(path.is_file() for path in private_media_root.rglob("*"))


def test_submit_with_attachments_retry_stores_nothing_again(observer, election, region):
    first = services.incident_submit_with_attachments(
        attachments=[samples.jpeg_with_gps()], **submission(observer, election, region)
    )
    again = services.incident_submit_with_attachments(
        attachments=[samples.jpeg_with_gps(colour="blue")], **submission(observer, election, region)
    )
    assert first.created and not again.created and again.incident == first.incident
    assert Attachment.objects.count() == 1
    assert list(first.incident.events.values_list("action", flat=True)) == ["submitted", "attached"]
