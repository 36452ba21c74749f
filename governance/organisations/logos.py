"""The organisation's logo: what an upload must be before it reaches the letterhead.

A pure check over the uploaded bytes (Pillow reads the header and verifies the file): PNG or
JPEG only (no SVG: a script-capable format, and WeasyPrint would fetch what it links), at most
``MAX_BYTES``, between ``MIN_SIDE`` and ``MAX_SIDE`` pixels a side (Pillow's own decompression
bomb limit is far above that). Anything else is refused with a sentence the secretariat can act on.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from governance.errors import Invalid
from governance.i18n import gettext as _

MAX_BYTES = 512 * 1024
MIN_SIDE = 16
MAX_SIDE = 4000
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


@dataclass(frozen=True)
class Logo:
    media_type: str
    image: bytes
    width: int
    height: int


def _refuse(message: str) -> Invalid:
    return Invalid(message, fields={"logo": message})


def check_logo(data: bytes) -> Logo:
    """``data`` as a logo, or :class:`Invalid` saying what is wrong with it."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise _refuse(_("Choose an image file (PNG or JPEG)."))
    if len(data) > MAX_BYTES:
        raise _refuse(
            _("The logo is too large ({size} KB): at most {limit} KB.").format(
                size=-(-len(data) // 1024), limit=MAX_BYTES // 1024
            )
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height), mode = image.format, image.size, image.mode
            if kind in MEDIA_TYPES and max(width, height) <= MAX_SIDE:
                image.verify()  # a truncated or damaged file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(_("This file is not a PNG or JPEG image.")) from None
    if kind not in MEDIA_TYPES:
        raise _refuse(_("The logo must be a PNG or JPEG image."))
    if mode in ("CMYK", "YCCK"):
        # Print colours: the minutes are PDF/A with an sRGB output intent, which device CMYK breaks.
        raise _refuse(_("The logo is in CMYK colours: save it in RGB, as for a screen."))
    if max(width, height) > MAX_SIDE or min(width, height) < MIN_SIDE:
        raise _refuse(
            _("The logo is {width} × {height} pixels: each side must be between {low} and {high}.").format(
                width=width, height=height, low=MIN_SIDE, high=MAX_SIDE
            )
        )
    return Logo(MEDIA_TYPES[kind], data, width, height)


def data_uri(media_type: str, image: bytes) -> str:
    """The image inline (``data:``), for the minutes' HTML and PDF: nothing fetched."""
    return f"data:{media_type};base64,{base64.b64encode(image).decode()}"
