"""Small files made on the spot for upload tests: photos carrying a location, a video, a PDF."""

import io
import struct

import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

#: what a phone writes into a photo taken in Almaty; none of it may survive an upload
GPS_LATITUDE = (43.0, 14.0, 20.34)
GPS_LONGITUDE = (76.0, 53.0, 22.9)
CAMERA_MODEL = "SecretPhone 12 Pro"
XMP_PACKET = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="43,14.34N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
#: the place as a video records it (ISO 6709), as phones write it into MP4 and MOV files
VIDEO_LOCATION = b"+43.2389+076.8897/"


def photo_exif():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = CAMERA_MODEL  # Model
    exif[0x0112] = 6  # Orientation: the picture must be turned upright
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: GPS_LATITUDE, 3: "E", 4: GPS_LONGITUDE})
    return exif


def image_bytes(format="JPEG", size=(64, 48), colour="red", exif=True, xmp=True):
    image = Image.new("RGB", size, colour)
    buffer = io.BytesIO()
    options = {}
    if exif:
        options["exif"] = photo_exif().tobytes()
    if xmp and format in ("JPEG", "WEBP"):
        options["xmp"] = XMP_PACKET
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def jpeg_with_gps(name="IMG_20210110_Almaty.jpg", **kwargs):
    return SimpleUploadedFile(name, image_bytes("JPEG", **kwargs), content_type="image/jpeg")


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def box(kind, payload):
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4_with_location(brand=b"mp42"):
    """A tiny MP4: ftyp, a moov with a track and a location in udta, then the media data."""
    ftyp = box(b"ftyp", brand + b"\x00\x00\x00\x00" + brand + b"isom")
    location = box(b"\xa9xyz", struct.pack(">HH", len(VIDEO_LOCATION), 0x15C7) + VIDEO_LOCATION)
    track = box(b"trak", box(b"tkhd", bytes(84)) + box(b"udta", box(b"name", b"\x00Secret track")))
    moov = box(b"moov", box(b"mvhd", bytes(100)) + track + box(b"udta", location))
    mdat = box(b"mdat", b"\x00\x01\x02\x03" * 64)
    return ftyp + moov + mdat


def pdf_bytes(text="A document"):
    """A valid one-page PDF whose page says ``text`` (uncompressed, so its size follows the text)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()
