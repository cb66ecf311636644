"""Resident identity numbers (GB 11643-1999): normalization and validation as plain functions."""
import datetime
import re
import unicodedata

from flask_babel import lazy_gettext as _l

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class InvalidResidentId(ValueError):
    pass


def normalize(raw):
    """Full-width digits/letters to ASCII, spaces removed, x upper-cased."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return re.sub(r"\s+", "", text).upper()


def check_char(first17):
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def birth_date_of(number):
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_of(number):
    """'M' or 'F': the 17th digit is odd for men."""
    return "M" if int(number[16]) % 2 else "F"


def validate(raw, today=None):
    """Return the normalized number or raise InvalidResidentId with a translatable message."""
    number = normalize(raw)
    if len(number) != 18:
        raise InvalidResidentId(_l("A resident ID number has 18 characters."))
    if not _SHAPE.match(number):
        raise InvalidResidentId(_l("A resident ID number is 17 digits followed by a digit or X."))
    try:
        born = birth_date_of(number)
    except ValueError:
        raise InvalidResidentId(_l("The birth date inside the resident ID number is not a real date."))
    today = today or datetime.date.today()
    if born.year < 1900 or born > today:
        raise InvalidResidentId(_l("The birth date inside the resident ID number is not plausible."))
    if check_char(number[:17]) != number[17]:
        raise InvalidResidentId(_l("The check digit of the resident ID number is wrong."))
    return number


def mask(number):
    """542221********123X: region code and the last four stay, the birth date is hidden."""
    if not number or len(number) < 10:
        return number or ""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def make(region, born, sequence, male):
    """A valid number (for demo data and tests): region code, birth date, 3-digit sequence, gender."""
    seq = sequence % 1000
    if (seq % 2 == 1) != bool(male):
        seq = (seq + 1) % 1000
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)
