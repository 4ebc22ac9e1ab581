"""Validators shared by every app: resident ID, unified social credit code, mobile number."""

import datetime
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The years a record may be dated in (the People's Republic's unions on), and the days a
# filter or a report's period may name: a year 1 or 99999 is a typing slip, and past these
# Python's dates (year 0 a year before 0001) and Django's year lookups fail.
FIRST_YEAR, LAST_YEAR = 1949, 2100
EARLIEST_DAY, LATEST_DAY = datetime.date(1900, 1, 1), datetime.date(LAST_YEAR, 12, 31)


def validate_day(value):
    day = value.date() if isinstance(value, datetime.datetime) else value
    if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="day_range",
            params={"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()},
        )


def bound_days(form):
    """Every date and date-time field of `form`, those inside a range included, takes only days
    from EARLIEST_DAY to LATEST_DAY, with a message on the field."""
    fields = list(form.fields.values())
    while fields:
        field = fields.pop()
        fields.extend(getattr(field, "fields", ()))
        if isinstance(field, (forms.DateField, forms.DateTimeField)) and validate_day not in field.validators:
            field.validators.append(validate_day)


_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
RESIDENT_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def resident_id_check_char(first17):
    """GB 11643 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_birth_date(value):
    """The birth date inside an 18-character resident ID, or None if it is no real date."""
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def normalize_resident_id(value):
    """The number as stored: a Chinese input method's full-width digits and Ｘ made ASCII
    (NFKC), spaces taken out, x upper-case. Full-width digits used to pass the format, then fail
    the check digit with a message that did not say why."""
    return "".join(unicodedata.normalize("NFKC", value or "").split()).upper()


def validate_resident_id(value):
    value = normalize_resident_id(value)
    if not RESIDENT_ID_SHAPE.fullmatch(value):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits and a digit or X."),
            code="id_format",
        )
    birth = resident_id_birth_date(value)
    if birth is None or birth.year < 1900 or birth > datetime.date.today():
        raise ValidationError(_("The birth date inside this resident ID number is not a real date."), code="id_birth")
    if resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("The check digit of this resident ID number is wrong."), code="id_check")


# GB 32100: 18 characters from this alphabet (no I, O, Z, S, V); the last is a check character.
_CC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_CC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17):
    total = sum(_CC_ALPHABET.index(c) * w for c, w in zip(first17, _CC_WEIGHTS, strict=True))
    return _CC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value):
    value = (value or "").strip().upper()
    if not _CC_RE.match(value):
        raise ValidationError(
            _("A unified social credit code has 18 characters of digits and capital letters (no I, O, Z, S, V)."),
            code="cc_format",
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("The check character of this unified social credit code is wrong."), code="cc_check")


_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value):
    if not _MOBILE_RE.match((value or "").strip()):
        raise ValidationError(_("A mainland mobile number has 11 digits and starts with 13 to 19."), code="mobile")


_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")


def validate_phone(value):
    """A landline (0854-7221234) or a mobile number: union offices list either."""
    if not _PHONE_RE.match((value or "").strip()):
        raise ValidationError(_("Enter a mobile number (11 digits) or a landline such as 0854-7221234."), code="phone")


def mask_resident_id(value):
    """`5227**********1234`: region prefix and last four, never the birth date."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
