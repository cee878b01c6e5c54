"""WTForms classes built from the bank once at start-up: one form per section."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask import current_app, g, session
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from flask_wtf.file import FileField
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer
from markupsafe import Markup
from wtforms import Field, IntegerField, RadioField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from fbss_check.answers import AnswerError, coerce
from fbss_check.model import SCALE_KINDS, Bank, Kind, Question

# One plain message a kind, shown above the question and in the error summary; translated when
# shown, in the patient's language.
MESSAGES: dict[Kind, Any] = {
    Kind.YES_NO: _l("Choose yes or no"),
    Kind.YES_NO_UNSURE: _l("Choose yes, no or not sure"),
    Kind.SINGLE_CHOICE: _l("Choose one answer"),
    Kind.MULTIPLE_CHOICE: _l("Choose only from the answers shown"),
    Kind.SCALE_0_10: _l("Choose a number from 0 to 10"),
    Kind.SCALE_0_3: _l("Choose how often"),
}


class MultiCheckboxField(SelectMultipleField):
    """A multiple-choice question shown as checkboxes; a box sent twice counts once."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(list(dict.fromkeys(valuelist)))


class FitsTheQuestion:
    """The last check on every field: the answer is one the engine accepts (never a 500 later)."""

    def __init__(self, question: Question) -> None:
        self.question = question

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data is None or field.data == []:
            return
        try:
            coerce(self.question, field.data, "codes")
        except AnswerError as error:
            raise ValidationError(MESSAGES.get(self.question.kind, _l("Check this answer"))) from error


def _required(question: Question, message: LazyString) -> InputRequired | Optional:
    return InputRequired(message) if question.required else Optional()


def _choice_field(question: Question) -> Field:
    message = MESSAGES[question.kind]
    if question.kind in SCALE_KINDS:
        low, high = question.bounds
        choices = [SelectChoice(value, label) for value, label in question.scale_options]
        return RadioField(
            question.text,
            choices=choices,
            coerce=int,
            validators=[_required(question, message), AnyOf(range(low, high + 1), message)],
            invalid_choice_message=message,
        )
    return RadioField(
        question.text,
        choices=[SelectChoice(c.code, c.label) for c in question.choices],
        validators=[_required(question, message), AnyOf(question.codes, message)],
        invalid_choice_message=message,
    )


class ChosenAlone:
    """A multiple-choice answer such as "None of these" must not be ticked with others."""

    def __init__(self, question: Question) -> None:
        self.alone = {c.code: c.label for c in question.choices if c.exclusive}

    def __call__(self, form: FlaskForm, field: Field) -> None:
        chosen = set(field.data or ())
        for code, label in self.alone.items():
            if code in chosen and len(chosen) > 1:
                raise ValidationError(_l("Choose “%(label)s” on its own, or untick it", label=label))


def _multiple_field(question: Question) -> Field:
    message = MESSAGES[question.kind]
    return MultiCheckboxField(
        question.text,
        choices=[SelectChoice(c.code, c.label) for c in question.choices],
        validators=[_required(question, _l("Choose at least one answer")), ChosenAlone(question)],
        invalid_choice_message=message,
    )


def _number_field(question: Question) -> Field:
    low, high = question.bounds
    unit = f" {question.unit}" if question.unit else ""  # the bank's unit, in this form's language
    example = min(max(low, 6), high)
    return IntegerField(
        question.text,
        widget=TextInput(),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
        validators=[
            _required(question, _l("Enter a whole number, such as %(example)s", example=example)),
            NumberRange(
                low, high, _l("Enter a number from %(low)s to %(high)s%(unit)s", low=low, high=high, unit=unit)
            ),
        ],
        invalid_value_message=_l("Enter a whole number using digits only, such as %(example)s", example=example),
    )


FIELD_FACTORIES: dict[Kind, Callable[[Question], Field]] = {
    Kind.YES_NO: _choice_field,
    Kind.YES_NO_UNSURE: _choice_field,
    Kind.SINGLE_CHOICE: _choice_field,
    Kind.SCALE_0_10: _choice_field,
    Kind.SCALE_0_3: _choice_field,
    Kind.MULTIPLE_CHOICE: _multiple_field,
    Kind.WHOLE_NUMBER: _number_field,
}


class Form(FlaskForm):
    """Every form of the app. Its CSRF token is checked once for every POST, by CSRFProtect before
    any view runs (a refused token is the friendly 400 page); a form's own token field would sign
    a new token and check the same one again, about 70 µs a question page sent. Pages write the
    token with `csrf_input`."""

    class Meta:
        csrf = False


def build_forms(bank: Bank) -> dict[str, type[FlaskForm]]:
    """One FlaskForm subclass per section; field names are question ids."""
    forms: dict[str, type[FlaskForm]] = {}
    for section in bank.sections:

        class SectionForm(Form):
            pass

        for question in bank.section_questions(section.id):
            field = FIELD_FACTORIES[question.kind](question)
            field.kwargs["validators"] = [*field.kwargs["validators"], FitsTheQuestion(question)]
            setattr(SectionForm, question.id, field)
        SectionForm.__name__ = f"{section.id.title().replace('_', '')}Form"
        forms[section.id] = SectionForm
    return forms


CSRF_FIELD = "csrf_token"  # Flask-WTF's name for the token: in the form, the session and g
CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's salt (generate_csrf, validate_csrf)


def csrf_input() -> Markup:
    """The request's CSRF token (`csrf_token`, made once a request) as the hidden input WTForms
    writes for a form's token field (its widget takes about four times as long); none when
    WTF_CSRF_ENABLED is off, as WTForms writes none."""
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return Markup("")
    return Markup('<input id="csrf_token" name="csrf_token" type="hidden" value="%s">') % csrf_token()


def csrf_token() -> str:
    """The request's signed CSRF token, as Flask-WTF's `generate_csrf` makes it (byte for byte for
    every raw token it makes; kept in g for the request; read by `validate_csrf`), by a serializer
    kept for the key (`TokenSerializer`). The session's raw token is left to Flask-WTF to make."""
    token: str | None = g.get(CSRF_FIELD)
    if token is not None:
        return token
    raw = session.get(CSRF_FIELD)
    key = current_app.config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
    if not isinstance(raw, str) or key is None:
        return str(generate_csrf())  # makes the raw token, or says what is missing
    token = _token_serializer(key).dumps(raw)
    setattr(g, CSRF_FIELD, token)
    return token


class TokenSerializer(URLSafeTimedSerializer):
    """Flask-WTF's token serializer without zlib. A URL-safe serializer compresses each payload and
    keeps the compressed one if shorter; the JSON of a raw token (a SHA-1 in hex, random) never is
    (none in 100,000 tries), yet `zlib.compress` sets up its state, about 256 KB, for every token:
    about 35 µs of a question page. `validate_csrf` reads both forms."""

    def dump_payload(self, obj: Any) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


@lru_cache(maxsize=4)  # the app's key; tests make apps with others
def _token_serializer(key: str | bytes) -> TokenSerializer:
    return TokenSerializer(key, salt=CSRF_SALT)


VISIT_QUESTION_MAX = 300  # characters: a question or two, small enough for the cookie and the share code


def clean_visit_question(text: str) -> str:
    """The patient's own words, tidied: control characters dropped, spaces and lines kept simple,
    cut to VISIT_QUESTION_MAX characters. Escaped like every text when shown (Jinja autoescape)."""
    lines = ("".join(ch for ch in line if ch.isprintable()).strip() for line in str(text).splitlines())
    return "\n".join(" ".join(line.split()) for line in lines if line)[:VISIT_QUESTION_MAX]


class VisitQuestionForm(Form):
    """An optional question the patient wants to ask at their visit, printed on the summary."""

    visit_question = TextAreaField(
        _l("What do you most want to ask at your visit?"),
        validators=[
            Optional(),
            Length(
                max=VISIT_QUESTION_MAX,
                message=_l("Use %(max)d characters or fewer", max=VISIT_QUESTION_MAX),
            ),
        ],
    )


class CompareForm(Form):
    """An earlier check to compare with: its share link or code pasted, or a photo of its QR code."""

    earlier = TextAreaField(_l("Paste the link or code from your earlier check"), validators=[Optional()])
    photo = FileField(_l("Or choose a photo of the QR code on your earlier printout"), validators=[Optional()])


class ClinicianCompareForm(Form):
    """Two share links or codes, to open side by side."""

    earlier = TextAreaField(_l("Earlier check: its link or code"), validators=[Optional()])
    later = TextAreaField(_l("Later check: its link or code"), validators=[Optional()])
