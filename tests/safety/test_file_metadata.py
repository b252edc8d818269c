"""Every file is cleaned by its type before it can be made public; pictures are measured from their
header before a pixel is decoded."""

import io

import mutagen
import pikepdf
import pytest
from django.core.exceptions import ValidationError
from mutagen.id3 import ID3, TIT2, TPE1
from PIL import Image, ImageFile

from incidents import services

from .. import samples

NAME = "Aigerim Bekova"


def stored(prepared):
    prepared.content.seek(0)
    data = prepared.content.read()
    prepared.content.seek(0)
    return data


def pdf_with_author():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = NAME
    pdf.docinfo["/Creator"] = "Scanner of " + NAME
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [NAME]
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def mp3_with_artist():
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz frames (417 bytes each), after an ID3v2 tag naming the reporter.
    frame = b"\xff\xfb\x90\x64" + bytes(413)
    audio = io.BytesIO(frame * 20)
    tags = ID3()
    tags.add(TPE1(encoding=3, text=[NAME]))
    tags.add(TIT2(encoding=3, text=["Recorded by " + NAME]))
    tags.save(audio)
    return audio.getvalue()


def test_pdf_loses_its_info_and_xmp():
    content = pdf_with_author()
    assert NAME.encode() in content
    prepared = services.attachments_prepare([samples.upload("scan.pdf", content)])[0]
    data = stored(prepared)
    assert NAME.encode() not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert len(pdf.pages) == 1


def test_a_damaged_pdf_is_refused():
    with pytest.raises(ValidationError) as error:
        services.attachments_prepare([samples.upload("scan.pdf", b"%PDF-1.4\n" + bytes(300))])
    assert "damaged" in str(error.value.message_dict["attachments"])


def test_mp3_loses_its_tags():
    content = mp3_with_artist()
    assert NAME.encode() in content
    prepared = services.attachments_prepare([samples.upload("voice.mp3", content)])[0]
    data = stored(prepared)
    assert NAME.encode() not in data
    audio = mutagen.File(io.BytesIO(data))
    assert audio is not None and not audio.tags


def test_picture_too_large_refused_from_its_header(monkeypatch, settings):
    # a 7700 x 7700 picture: 59 million pixels in a small file
    picture = io.BytesIO()
    Image.new("1", (7700, 7700)).save(picture, format="PNG")
    assert settings.OBSERVER_IMAGE_MAX_PIXELS <= 40_000_000

    def never(self):
        raise AssertionError("decoded a picture that its header says is too large")

    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    with pytest.raises(ValidationError) as error:
        services.attachments_prepare([samples.upload("big.png", picture.getvalue())])
    assert "too many pixels" in error.value.message_dict["attachments"][0]
