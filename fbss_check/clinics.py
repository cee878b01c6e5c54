"""Clinic profiles: who sent the patient, their phone numbers and region, validated at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .bank import ID_PATTERN
from .model import LANGUAGES, ProblemsError
from .regions import REGIONS, Region

DEFAULT_CLINICS_PATH = Path(__file__).resolve().parent.parent / "clinics.yaml"
SLUG_PATTERN = ID_PATTERN  # lower-case letters, digits and _; kept short for links and posters
PHONE_CHARACTERS = set("0123456789 +-().")


class ClinicsError(ProblemsError):
    """A clinics file that cannot be used; ``problems`` lists every one found."""

    what = "the clinics file"


@dataclass(frozen=True)
class Clinic:
    slug: str
    name: str
    surgeon_team_phone: str
    out_of_hours_phone: str
    region: Region
    language: str | None = None


def load_clinics(path: str | Path | None = None, languages: tuple[str, ...] = tuple(LANGUAGES)) -> dict[str, Clinic]:
    """Read and validate the clinics file; a missing default file means no clinics."""
    clinics_path = Path(path) if path is not None else DEFAULT_CLINICS_PATH
    if path is None and not clinics_path.exists():
        return {}
    try:
        raw = yaml.safe_load(clinics_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ClinicsError([f"cannot read the clinics file: {error}"], str(clinics_path)) from error
    except yaml.YAMLError as error:
        raise ClinicsError([f"not valid YAML: {error}"], str(clinics_path)) from error
    return parse_clinics(raw, str(clinics_path), languages)


def parse_clinics(raw: Any, source: str = "", languages: tuple[str, ...] = tuple(LANGUAGES)) -> dict[str, Clinic]:
    """Build clinics from loaded YAML (`clinics: [...]`), collecting every problem."""
    problems: list[str] = []
    items = raw.get("clinics") if isinstance(raw, Mapping) else None
    if not isinstance(items, list):
        raise ClinicsError(["clinics: expected a list of clinics"], source)
    clinics: dict[str, Clinic] = {}
    for index, item in enumerate(items):
        path = f"clinics[{index}]"
        if not isinstance(item, Mapping):
            problems.append(f"{path}: expected a mapping")
            continue
        slug = item.get("slug")
        if not isinstance(slug, str) or not SLUG_PATTERN.match(slug) or len(slug) > 40:
            problems.append(f"{path}.slug: malformed slug {slug!r}: use up to 40 lower-case letters, digits and _")
            slug = None
        elif slug in clinics:
            problems.append(f"{path}.slug: duplicate slug {slug!r}")
            slug = None
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{path}.name: missing text")
        phones = {}
        for key in ("surgeon_team_phone", "out_of_hours_phone"):
            value = item.get(key)
            if isinstance(value, int):
                value = str(value)
            if not isinstance(value, str) or not value.strip() or not set(value) <= PHONE_CHARACTERS:
                problems.append(f"{path}.{key}: expected a phone number (digits, spaces, + - ( ) .), got {value!r}")
            phones[key] = str(value or "").strip()
        region = REGIONS.get(str(item.get("region", "")).lower())
        if region is None:
            problems.append(f"{path}.region: unknown region {item.get('region')!r}; known: {', '.join(REGIONS)}")
        language = item.get("language")
        if language is not None and language not in languages:
            problems.append(f"{path}.language: unsupported language {language!r}; supported: {', '.join(languages)}")
        if slug and isinstance(name, str) and name.strip() and region is not None:
            clinics[slug] = Clinic(
                slug, name.strip(), phones["surgeon_team_phone"], phones["out_of_hours_phone"], region, language
            )
    if problems:
        raise ClinicsError(problems, source)
    return clinics
