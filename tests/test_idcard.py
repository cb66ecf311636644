"""GB 11643 resident ID rules as plain functions."""
import datetime

import pytest

from app.retirees import idcard

VALID = "11010519491231002X"  # the standard's own example


def test_standard_example_is_valid():
    assert idcard.validate(VALID) == VALID


@pytest.mark.parametrize("raw", [
    "11010519491231002x",            # lower-case x
    "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and letter
    " 110105 19491231 002X ",        # spaces inside and around
    "110105194912310０2ｘ",           # mixed widths
])
def test_messy_forms_normalize_to_the_same_number(raw):
    assert idcard.validate(raw) == VALID


@pytest.mark.parametrize("raw, fragment", [
    ("11010519491231002", "18"),                 # too short
    ("1101051949123100211", "18"),               # too long
    ("11010519491231002Y", "17 digits"),          # bad last char
    ("1101051949A231002X", "17 digits"),          # letter inside
    ("110105194913310021", "real date"),          # month 13
    ("110105194902300021", "real date"),          # 30 February
    ("110105189912310026", "plausible"),          # born before 1900
    ("110105194912310021", "check digit"),        # checksum off
])
def test_invalid_numbers_are_refused_with_a_reason(raw, fragment):
    with pytest.raises(idcard.InvalidResidentId) as err:
        idcard.validate(raw)
    assert fragment in str(err.value.args[0])


def test_future_birth_date_is_refused():
    number = idcard.make("540502", datetime.date(2030, 1, 1), 12, True)
    with pytest.raises(idcard.InvalidResidentId):
        idcard.validate(number, today=datetime.date(2026, 1, 1))


def test_birth_date_and_gender_are_read_from_the_number():
    assert idcard.birth_date_of(VALID) == datetime.date(1949, 12, 31)
    assert idcard.gender_of(VALID) == "F"  # 17th digit 2 is even
    male = idcard.make("540502", datetime.date(1950, 3, 4), 17, True)
    assert idcard.gender_of(male) == "M"


@pytest.mark.parametrize("seq", range(0, 1000, 37))
@pytest.mark.parametrize("male", [True, False])
def test_generated_numbers_are_valid_and_carry_the_gender(seq, male):
    number = idcard.make("540521", datetime.date(1955, 7, 1), seq, male)
    assert idcard.validate(number) == number
    assert idcard.gender_of(number) == ("M" if male else "F")
    assert number.startswith("540521")


def test_mask_keeps_region_and_last_four():
    assert idcard.mask("54222119600101123X") == "542221********123X"
    assert idcard.mask("") == ""
