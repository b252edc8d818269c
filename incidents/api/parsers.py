"""The JSON parser: DRF's, with a limit on nesting.

Python's json module recurses once per level: a body nested about a thousand
deep raises RecursionError (a server error) in the parser or later in the
serializers. No report or move is nested more than a few levels, so a body
deeper than MAX_DEPTH is refused with a 400 that says why. The depth is
measured on the raw text before decoding, in one pass, so a deep body costs
no recursion at all.
"""

import io

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def too_deep(text, limit=MAX_DEPTH):
    """Whether the JSON ``text`` opens more than ``limit`` arrays or objects inside one another."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(_("The body is not valid %(encoding)s text.") % {"encoding": encoding}) from error
        if too_deep(text):
            raise ParseError(_("The body is nested too deep (at most %(depth)d levels).") % {"depth": MAX_DEPTH})
        return super().parse(io.BytesIO(raw), media_type, parser_context)
