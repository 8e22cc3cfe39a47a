"""The company logo on invoices: a small PNG or JPEG, checked before it is kept and embedded
in pages and PDFs as a data: URL (the PDF renderer fetches nothing else)."""

import base64
import io
import struct
import warnings

from django.utils.translation import gettext
from PIL import Image, JpegImagePlugin, PngImagePlugin

from faktura.accounts.models import AccountSettings
from faktura.core.errors import RuleViolation

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_SIDE = 4000  # pixels; larger images are refused before they are decoded
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
# What Pillow raises on a file that is not a whole, sane image.
_UNREADABLE = (
    OSError,
    ValueError,
    SyntaxError,
    struct.error,
    Image.DecompressionBombWarning,
    Image.DecompressionBombError,
)


def check_logo(data: bytes) -> str:
    """The logo's content type, or a RuleViolation saying what is wrong with the file."""
    if len(data) > MAX_LOGO_BYTES:
        raise RuleViolation(
            f"The logo is {len(data) // 1024} KB; it can be at most {MAX_LOGO_BYTES // 1024} KB. "
            "Save it smaller (a few hundred pixels wide is plenty) and upload it again.",
            code="invalid_logo",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            kind, width, height = _header(data)
            _refuse_kind_or_size(kind, width, height)
            with Image.open(io.BytesIO(data)) as image:
                image.verify()  # PNG: every chunk and checksum, to the end
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decodes the pixels
        # WeasyPrint lets Pillow fill in cut-off images, so a cut-off JPEG is caught here.
        if kind == "JPEG" and not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
            raise OSError("the file ends before the image does")
    except _UNREADABLE as error:
        raise RuleViolation(
            f"The logo could not be read as an image ({error}). Upload a PNG or JPEG file.",
            code="invalid_logo",
        ) from error
    return LOGO_TYPES[str(kind)]


def _header(data: bytes) -> tuple[str | None, int, int]:
    """The image's kind and size from its header. PNG and JPEG are read by their own plugins,
    which skip Pillow's decompression-bomb check, so a 69-byte PNG claiming 100000×100000 is
    refused with its size; other kinds only need naming."""
    for plugin in (PngImagePlugin.PngImageFile, JpegImagePlugin.JpegImageFile):
        try:
            with plugin(io.BytesIO(data)) as image:
                return image.format, *image.size
        except SyntaxError:  # not this kind
            continue
    with Image.open(io.BytesIO(data)) as image:
        return image.format, *image.size


def _refuse_kind_or_size(kind: str | None, width: int, height: int) -> None:
    if kind not in LOGO_TYPES:
        raise RuleViolation(
            f"The logo is a {kind} image; upload a PNG or JPEG file.", code="invalid_logo"
        )
    if max(width, height) > MAX_LOGO_SIDE:
        raise RuleViolation(
            gettext(
                "The logo is %(width)d×%(height)d pixels; the largest logo Faktura accepts is "
                "%(most)d×%(most)d pixels. Save it smaller (a few hundred pixels wide is plenty) "
                "and upload it again."
            )
            % {"width": width, "height": height, "most": MAX_LOGO_SIDE},
            code="invalid_logo",
        )


def logo_data_url(settings: AccountSettings) -> str:
    """The account's logo as a data: URL, or "" when there is none."""
    return data_url(bytes(settings.company_logo), settings.company_logo_type)


def data_url(content: bytes, content_type: str) -> str:
    """An image as a data: URL (pages and PDFs fetch nothing), or "" for no image."""
    if not content or not content_type:
        return ""
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"
