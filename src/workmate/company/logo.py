"""The company logo printed on invoices: checked and normalised once, at upload.

Any PNG or JPEG up to LOGO_MAX_BYTES is accepted; it is flattened onto white (PDF/A wants no
transparency surprises) and scaled to fit LOGO_BOX, then stored as PNG under its SHA-256.
"""

from __future__ import annotations

import io

from workmate.errors import Invalid, PayloadTooLarge

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_BOX = (1200, 600)
FORMATS = ("PNG", "JPEG")


def normalise(data: bytes) -> bytes:
    """PNG bytes of the logo fitted into LOGO_BOX on white; refuses what is not an image."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise PayloadTooLarge(
            "the logo is larger than {limit} MB", field="logo", params={"limit": 2}
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise Invalid("the logo must be a PNG or JPEG image", field="logo")
            if image.width * image.height > 40_000_000:
                raise Invalid("the logo must be a PNG or JPEG image", field="logo")
            image.load()
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise Invalid("the logo must be a PNG or JPEG image", field="logo") from None
    rgba.thumbnail(LOGO_BOX)
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, format="PNG", optimize=True)
    return out.getvalue()
