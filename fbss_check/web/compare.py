"""Compare with an earlier check: the patient brings it as their share link or code, or as a photo
of the QR code on their printout. Nothing is stored on the server: the photo is read in memory and
dropped, and the earlier code lives only in the patient's signed session cookie."""

from __future__ import annotations

import io
import re
import warnings
from typing import Any

import zxingcpp
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import format_date
from PIL import Image, UnidentifiedImageError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from .catalog import gettext
from .context import EARLIER, current_bank, current_earlier, load_progress, page_vars, secret_key, where_next
from .forms import CompareForm
from .handoff import Handoff, InvalidCode, read_code

bp = Blueprint("compare", __name__)

PHOTO_MAX = 10 * 1024 * 1024  # a phone photo; every other request keeps the 64 KB limit
SMALL = 400  # a picture narrower than this is enlarged before it is read
PIXELS_MAX = 50_000_000  # a larger picture is refused before it is decoded (a 12 MP photo is fine)
# A share code (base64url, a dot, a base64url signature), alone or after /r/ in a link; two joined
# by "..." are the clinician's pair (the later one is taken).
CODE = re.compile(r"[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}")
# What is left of one cut short: a share link's /r/ and the start of a code, or a long run of a
# code's letters (its first part alone is over 100).
PART = re.compile(r"/r/[A-Za-z0-9_-]{16,}|[A-Za-z0-9_-]{40,}")


class NotRead(ValueError):
    """What the patient brought could not be read as an earlier check; the message says why."""


def codes_in(text: str) -> list[str]:
    """The share codes in a pasted link or code: as pasted (a link with words around it), and
    with spaces and line breaks taken out (a link copied across lines)."""
    return list(dict.fromkeys(CODE.findall(text) + CODE.findall(re.sub(r"\s+", "", text))))


def qr_text(data: bytes) -> str:
    """The text of the first QR code in a picture, read in memory; NotRead if there is none."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
            if picture.width * picture.height > PIXELS_MAX:
                raise NotRead(gettext("This picture is too large. Take a new photo, or send a smaller one."))
            picture.draft("L", (2400, 2400))  # a JPEG decodes straight to grey at a useful size
            grey = picture.convert("L")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NotRead(gettext("This file could not be opened as a picture. Choose a photo in JPEG or PNG.")) from None
    if min(grey.size) < SMALL:
        # A screenshot of the code at one pixel a module: the reader needs a few pixels a module.
        factor = -(-SMALL // min(grey.size))
        grey = grey.resize((grey.width * factor, grey.height * factor), Image.Resampling.NEAREST)
    found = [code for code in zxingcpp.read_barcodes(grey) if code.format == zxingcpp.BarcodeFormat.QRCode]
    if not found:
        raise NotRead(
            gettext(
                "No QR code was found in this picture. Take the photo again: close up, in good light, "
                "with the whole square code in the picture."
            )
        )
    return str(found[0].text)


def readable(bank: Any, codes: list[str]) -> list[tuple[str, Handoff]]:
    """The codes this app can read (signed with its key, whole), each with what it carries, in order."""
    read = []
    for code in codes:
        try:
            read.append((code, read_code(secret_key(), bank, code)))
        except InvalidCode:
            continue
    return read


def first_code(bank: Any, text: str) -> str:
    """The code a pasted text gives: the first this app can read, else the first found (whose page
    then says why it cannot be read), else ""."""
    codes = codes_in(text)
    read = readable(bank, codes)
    return read[0][0] if read else next(iter(codes), "")


def read_earlier(bank: Any, text: str) -> tuple[str, Handoff]:
    """The latest check among the codes in the text, and its code; NotRead if none can be read."""
    codes = codes_in(text)
    if not codes and PART.search(re.sub(r"\s+", "", text)):
        raise NotRead(
            gettext(
                "This link or code seems cut short: part of it is missing. Copy the whole link again, "
                "or use a photo of the QR code."
            )
        )
    if not codes:
        raise NotRead(gettext("This is not a share link or code from this check. Copy the whole link and paste it."))
    read = readable(bank, codes)
    if not read:
        raise NotRead(
            gettext(
                "This code could not be read. It may have been made by another website that runs this check "
                "(another clinic's, say), or changed, or cut short. Paste the whole link again, or use a photo "
                "of the QR code."
            )
        )
    return max(read, key=lambda found: found[1].made_on)  # the first of equals: max keeps the first


def allow_photo() -> None:
    """Before the form is read (by the CSRF check too): a photo may be larger than other requests."""
    if request.endpoint == "compare.bring" and request.method == "POST":
        request.max_content_length = PHOTO_MAX


def _page(form: CompareForm, problem: str = "", status: int = 200) -> tuple[str, int]:
    bank = current_bank()
    earlier = current_earlier(bank)
    state = load_progress()
    return render_template(
        "compare.html",
        form=form,
        problem=problem,
        earlier_on=format_date(earlier.made_on, "long") if earlier else None,
        next_url=where_next(state) if state is not None else None,
        **page_vars(),
    ), status


@bp.get("/compare")
def choose() -> tuple[str, int]:
    return _page(CompareForm())


@bp.post("/compare")
def bring() -> Response | tuple[str, int]:
    form = CompareForm()
    if not form.validate_on_submit():
        return _page(form, gettext("This form had expired. Send it again."), 400)
    photo = request.files.get(form.photo.name)
    try:
        if photo is not None and photo.filename:
            text = qr_text(photo.stream.read())
            photo.close()
        else:
            text = form.earlier.data or ""
            if not text.strip():
                raise NotRead(
                    gettext("Paste the link or code from your earlier check, or choose a photo of its QR code.")
                )
        code, _handoff = read_earlier(current_bank(), text)
    except NotRead as problem:
        return _page(form, str(problem), 400)
    session[EARLIER] = code
    return redirect(url_for("compare.choose") + "#compare-ready")


@bp.post("/compare/stop")
def stop() -> Response:
    session.pop(EARLIER, None)
    return redirect(
        (request.form.get("back") == "result" and url_for("questionnaire.result")) or url_for("compare.choose")
    )


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    return _page(
        CompareForm(formdata=None), gettext("This picture is too large (over 10 MB). Send a smaller photo."), 413
    )
