"""Forms of the meeting pages: the public sign-up and the back office's meeting admin."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, NumberRange

from participation.forms import (
    BaseForm,
    checkboxes,
    date_field,
    enum_select,
    limited,
    long_text,
    must_tick,
    no_control_characters,
    org_number_field,
    organisation_field,
    own_email_field,
    parse_time,
    person_name_field,
    phone_number,
    select_field,
    text,
    time_field,
)
from participation.labels import CATEGORY_LABELS, TEXT_LANGUAGE_LABELS
from participation.models import ParticipantCategory
from participation.models.base import OTHER_LANGUAGES


class SignupForm(BaseForm):
    name = person_name_field(_l("Full name"))
    email = own_email_field(_l("We send the confirmation and a link to cancel here."))
    phone = TelField(
        _l("Phone (optional)"),
        validators=limited(20, _l("The phone number is too long."), phone_number),
        description=_l(
            "8 digits, for example 912 34 567; a number abroad with its country code, "
            "for example +46 70 123 45 67."
        ),
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    organisation = organisation_field()
    org_number = org_number_field()
    category = enum_select(
        _l("I take part as"), _l("Choose how you take part."), ParticipantCategory, CATEGORY_LABELS
    )
    focus_areas = checkboxes(_l("Focus areas that interest you (optional)"))
    needs = TextAreaField(
        _l("Accessibility or dietary needs (optional)"),
        validators=limited(1000, _l("Write at most 1000 characters."), no_control_characters),
        description=_l("For example wheelchair access, hearing loop, allergies."),
    )
    notify_outcome = BooleanField(
        _l("Tell me what came of it"),
        description=_l(
            "We send you one e-mail when the county publishes what it did with the input."
        ),
    )
    consent = must_tick(
        _l("I agree that my details are stored as described in the privacy statement."),
        _l("You must agree to the privacy terms to sign up."),
    )


class CancelForm(BaseForm):
    """Just the CSRF token: cancelling is a POST, never a GET a mail scanner follows."""


# ---------------------------------------------------------------- back office


class RegionForm(BaseForm):
    name = text(_l("Name of the region"), required_message=_l("Enter a name."), max_length=120)


class MeetingForm(BaseForm):
    region = select_field(_l("Region"), _l("Choose a region."), required=True)
    # In Bokmål, required: every page in a language without its own text shows these.
    title = text(
        _l("Title (%(language)s)", language=TEXT_LANGUAGE_LABELS["nb"]),
        required_message=_l("Enter a title."),
    )
    description = long_text(
        _l("Description (%(language)s)", language=TEXT_LANGUAGE_LABELS["nb"]), max_length=5000
    )
    day = date_field(_l("Date"), required_message=_l("Enter the date of the meeting."))
    starts = time_field(_l("Starts at"), required_message=_l("Enter the start time."))
    ends = time_field(_l("Ends at"), required_message=_l("Enter the end time."))
    venue = text(_l("Venue"), required_message=_l("Enter the venue."))
    address = text(_l("Address (optional)"), max_length=300)
    seats = IntegerField(
        _l("Seats"),
        validators=[
            InputRequired(message=_l("Enter the number of seats.")),
            NumberRange(min=1, max=10000, message=_l("Enter a number from 1 to 10000.")),
        ],
    )
    deadline_day = date_field(
        _l("Registration deadline, date"),
        required_message=_l("Enter the date of the registration deadline."),
    )
    deadline_time = time_field(
        _l("Registration deadline, time"),
        required_message=_l("Enter the time of the registration deadline."),
    )

    def validate_ends(self, field) -> None:
        starts, ends = parse_time(self.starts.data), parse_time(field.data)
        if starts and ends and ends <= starts:
            raise ValidationError(_l("The meeting must end after it starts."))

    def other_languages(self) -> list[tuple[str, Field, Field]]:
        """``(language, title field, description field)`` for each language but Bokmål."""
        return [
            (language, self[f"title_{language}"], self[f"description_{language}"])
            for language in OTHER_LANGUAGES
        ]


# The optional title and description per other language (``title_se`` …), after the
# fields above, as the page shows them.
for _language in OTHER_LANGUAGES:
    setattr(
        MeetingForm,
        f"title_{_language}",
        text(
            _l("Title (%(language)s, optional)", language=TEXT_LANGUAGE_LABELS[_language]),
            description=_l("Left empty, the pages in this language show the title in Bokmål."),
        ),
    )
    setattr(
        MeetingForm,
        f"description_{_language}",
        long_text(
            _l("Description (%(language)s, optional)", language=TEXT_LANGUAGE_LABELS[_language]),
            max_length=5000,
        ),
    )


class CancelMeetingForm(BaseForm):
    reason = long_text(
        _l("Message to the registrants (optional)"),
        max_length=2000,
        description=_l("Included in the e-mail that tells everyone the meeting is cancelled."),
    )
    confirm = must_tick(
        _l("Yes, cancel the meeting and tell everyone who signed up"),
        _l("Confirm that you want to cancel the meeting."),
    )


class MessageForm(BaseForm):
    """A message to a meeting's registrants: written, previewed with the count, then
    sent on confirmation (``action``: preview, edit or send)."""

    subject = text(_l("Subject"), required_message=_l("Enter a subject."))
    body = long_text(_l("Message"), required_message=_l("Write the message."), max_length=10000)
    to_confirmed = BooleanField(_l("Those with a seat"), default=True)
    to_waiting = BooleanField(_l("Those on the waiting list"), default=True)
    confirm = BooleanField(_l("Yes, send the message to these people"))

    def check_across_fields(self):
        if not (self.to_confirmed.data or self.to_waiting.data):
            return self.to_confirmed, _l("Choose who gets the message.")
        return None


class MoveForm(BaseForm):
    target = select_field(
        _l("Move to"), _l("Choose where to move the registration."), required=True
    )
    notify = BooleanField(_l("Tell the person by e-mail"), default=True)


class AttendanceForm(BaseForm):
    attended = checkboxes(_l("Attended"))
