"""Emergency, same-day and crisis numbers for each region the app can be set up for."""

from __future__ import annotations

from dataclasses import dataclass

from .model import N_


def dial(number: str) -> str:
    """A phone number as a tel: link wants it: digits and a leading +."""
    return "".join(c for c in number if c.isdigit() or c == "+")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    emergency: str  # the number to dial
    urgent_care: str  # words: where to get same-day care
    crisis: str  # words: the mental-health crisis line
    crisis_number: str  # the number to dial for the crisis line
    quit_line: str  # words: the free stop-smoking line (the quit_smoking topic's {quit_line})
    phone_numbers: tuple[str, ...] = ()  # every number as its texts write it, made tappable on pages


REGIONS: dict[str, Region] = {
    "us": Region(
        code="us",
        name=N_("United States"),
        emergency="911",
        urgent_care=N_("an urgent care center, or your doctor's same-day line"),
        crisis=N_("988 Suicide and Crisis Lifeline: call or text 988"),
        crisis_number="988",
        quit_line=N_("1-800-QUIT-NOW (1-800-784-8669), free in every state"),
        phone_numbers=("911", "988", "1-800-784-8669"),
    ),
    "uk": Region(
        code="uk",
        name=N_("United Kingdom"),
        emergency="999",
        urgent_care=N_("NHS 111 (call 111 or go to 111.nhs.uk)"),
        crisis=N_("NHS 111, option 2, for a mental health crisis, or Samaritans on 116 123"),
        crisis_number="111",
        quit_line=N_("the NHS Smokefree helpline on 0300 123 1044, or your local stop smoking service"),
        phone_numbers=("999", "111", "116 123", "0300 123 1044"),
    ),
    "eu": Region(
        code="eu",
        name=N_("European Union"),
        emergency="112",
        urgent_care=N_("your doctor's same-day service or out-of-hours service"),
        crisis=N_("your local crisis line; in many EU countries, call 116 123 for emotional support"),
        crisis_number="116123",
        quit_line=N_("your country's free quit line: your doctor or pharmacist can give you the number"),
        phone_numbers=("112", "116 123"),
    ),
}

DEFAULT_REGION = "us"


def region_for(code: str | None) -> Region:
    """The region for a code (case-insensitive); raises KeyError naming the known ones."""
    key = (code or DEFAULT_REGION).strip().lower()
    if key not in REGIONS:
        raise KeyError(f"unknown region {code!r}; known: {', '.join(REGIONS)}")
    return REGIONS[key]
