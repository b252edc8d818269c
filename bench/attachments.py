"""Time the attachment service on phone-sized files: python bench/attachments.py"""

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observer.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

django.setup()

from PIL import Image  # noqa: E402

from incidents.services.attachments import attachment_prepare  # noqa: E402
from tests import samples  # noqa: E402


def photo(width, height):
    noise = Image.effect_noise((width, height), 64).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=90, exif=samples.photo_exif().tobytes())
    return buffer.getvalue()


def video(megabytes):
    return samples.mp4_with_location() + samples.box(b"mdat", bytes(megabytes * 1024 * 1024))


def timed(label, content, runs=5):
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        attachment_prepare(samples.upload("file", content)).close()
        best = min(best, time.perf_counter() - start)
    print(f"{label}: {len(content) / 1e6:.1f} MB in, best of {runs}: {best * 1000:.0f} ms")


if __name__ == "__main__":
    timed("12 MP JPEG photo with EXIF/GPS (4000x3000)", photo(4000, 3000))
    timed("3 MP JPEG photo (2048x1536)", photo(2048, 1536))
    timed("MP4 video, 45 MB", video(45))
