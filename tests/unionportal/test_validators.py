"""Resident ID (GB 11643), unified social credit code (GB 32100), mobile and phone numbers.

Every number here is generated with the module's own check-character helpers from invented
digits; none belongs to a real person or company."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.utils import translation

from unionportal.validators import (
    credit_code_check_char,
    mask_resident_id,
    normalize_resident_id,
    resident_id_birth_date,
    resident_id_check_char,
    validate_credit_code,
    validate_mobile,
    validate_phone,
    validate_resident_id,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def resident_id(region="522727", birth="19900101", sequence="123"):
    first17 = region + birth + sequence
    return first17 + resident_id_check_char(first17)


def resident_id_with_check(check, region="522727", birth="19900101"):
    """The first invented number of that region and birth date whose check character is `check`."""
    for sequence in range(1000):
        first17 = f"{region}{birth}{sequence:03d}"
        if resident_id_check_char(first17) == check:
            return first17 + check
    raise AssertionError(f"no sequence gives check character {check}")


def credit_code(body="91522727MA6DK1234"):
    return body + credit_code_check_char(body)


def wrong_char(right, alphabet):
    return next(c for c in alphabet if c != right)


class ValidatorTestCase(SimpleTestCase):
    def assertInvalid(self, validator, value, code):
        with self.assertRaises(ValidationError) as caught:
            validator(value)
        self.assertEqual(caught.exception.code, code)
        return caught.exception


class ResidentIdTest(ValidatorTestCase):
    def test_generated_numbers_are_valid(self):
        for number in (
            resident_id(),
            resident_id("230502", "19751231", "001"),
            resident_id("110101", "20000229", "999"),
        ):
            with self.subTest(number=number):
                self.assertIsNone(validate_resident_id(number))

    def test_number_with_x_check_character_is_valid(self):
        number = resident_id_with_check("X")
        self.assertEqual(number[-1], "X")
        self.assertIsNone(validate_resident_id(number))

    def test_lowercase_x_is_normalised_and_valid(self):
        number = resident_id_with_check("X")
        lower = number[:17] + "x"
        self.assertEqual(normalize_resident_id(f"  {lower} "), number)
        self.assertIsNone(validate_resident_id(lower))

    def test_check_character_follows_gb_11643(self):
        # Worked by hand: the weighted sums are 253 and 204; mod 11 they are 0 and 6, which
        # the table 1 0 X 9 8 7 6 5 4 3 2 maps to "1" and "6".
        self.assertEqual(resident_id_check_char("52272719900101123"), "1")
        self.assertEqual(resident_id_check_char("23050219751231001"), "6")

    def test_wrong_check_digit_is_refused(self):
        number = resident_id()
        wrong = number[:17] + wrong_char(number[17], "0123456789X")
        self.assertInvalid(validate_resident_id, wrong, "id_check")

    def test_impossible_birth_date_is_refused(self):
        for birth in ("19900230", "19901301", "19900100", "20230229"):
            with self.subTest(birth=birth):
                self.assertInvalid(validate_resident_id, resident_id(birth=birth), "id_birth")

    def test_birth_date_before_1900_is_refused(self):
        self.assertInvalid(validate_resident_id, resident_id(birth="18991231"), "id_birth")

    def test_future_birth_date_is_refused(self):
        tomorrow = datetime.date.today() + datetime.timedelta(days=1)
        self.assertInvalid(validate_resident_id, resident_id(birth=tomorrow.strftime("%Y%m%d")), "id_birth")

    def test_birth_date_of_today_is_accepted(self):
        today = datetime.date.today().strftime("%Y%m%d")
        self.assertIsNone(validate_resident_id(resident_id(birth=today)))

    def test_birth_date_is_read_from_the_number(self):
        self.assertEqual(resident_id_birth_date(resident_id(birth="19851107")), datetime.date(1985, 11, 7))
        self.assertIsNone(resident_id_birth_date(resident_id(birth="19850231")))

    def test_wrong_length_is_refused(self):
        number = resident_id()
        for value in (number[:17], number + "0", number[:15], "", None):
            with self.subTest(value=value):
                self.assertInvalid(validate_resident_id, value, "id_format")

    def test_letters_other_than_final_x_are_refused(self):
        number = resident_id_with_check("X")
        for value in ("X" + number[1:], number[:17] + "Y", number[:10] + "A" + number[11:]):
            with self.subTest(value=value):
                self.assertInvalid(validate_resident_id, value, "id_format")


class CreditCodeTest(ValidatorTestCase):
    def test_generated_codes_are_valid(self):
        for body in ("91522727MA6DK1234", "12522700000000000", "91230502ABCDEFGHJ", "Y1110105KLMNPQRTU"):
            with self.subTest(body=body):
                self.assertIsNone(validate_credit_code(credit_code(body)))

    def test_check_character_follows_gb_32100(self):
        # Worked by hand: the weighted sum is 1909, 1909 mod 31 = 18, 31 - 18 = 13, and the
        # 13th character of 0-9 A-H J-N P-R T U W-Y (from 0) is "D".
        self.assertEqual(credit_code_check_char("91522727MA6DK1234"), "D")

    def test_lowercase_and_spaces_are_accepted(self):
        self.assertIsNone(validate_credit_code(f" {credit_code().lower()} "))

    def test_check_character_can_be_a_letter_or_zero(self):
        # The check character is 31 minus the weighted sum mod 31, taken mod 31 so that it
        # is "0" rather than out of range when the sum is a multiple of 31.
        found = {}
        for n in range(100_000):
            body = f"91522727MA{n:07d}"
            check = credit_code_check_char(body)
            if check == "0" and "0" not in found:
                found["0"] = body + check
            if check.isalpha() and "letter" not in found:
                found["letter"] = body + check
            if len(found) == 2:
                break
        self.assertEqual(set(found), {"0", "letter"})
        for code in found.values():
            self.assertIsNone(validate_credit_code(code))

    def test_wrong_check_character_is_refused(self):
        code = credit_code()
        wrong = code[:17] + wrong_char(code[17], "0123456789ABCDEFGHJKLMNPQRTUWXY")
        self.assertInvalid(validate_credit_code, wrong, "cc_check")

    def test_forbidden_letters_are_refused(self):
        code = credit_code()
        for letter in "IOZSV":
            with self.subTest(letter=letter):
                self.assertInvalid(validate_credit_code, code[:10] + letter + code[11:], "cc_format")
                self.assertInvalid(validate_credit_code, code[:17] + letter, "cc_format")

    def test_region_code_must_be_digits(self):
        code = credit_code()
        self.assertInvalid(validate_credit_code, code[:2] + "A" + code[3:], "cc_format")

    def test_wrong_length_is_refused(self):
        code = credit_code()
        for value in (code[:17], code + "1", "", None):
            with self.subTest(value=value):
                self.assertInvalid(validate_credit_code, value, "cc_format")


class MobileAndPhoneTest(ValidatorTestCase):
    def test_mobile_numbers(self):
        for value in ("13812345678", "19912345678", " 15012345678 "):
            with self.subTest(value=value):
                self.assertIsNone(validate_mobile(value))
        for value in ("12812345678", "1381234567", "138123456789", "23812345678", "138-1234-5678", "", None):
            with self.subTest(value=value):
                self.assertInvalid(validate_mobile, value, "mobile")

    def test_landlines_and_mobiles_are_phone_numbers(self):
        for value in ("0854-7221234", "08547221234", "010-12345678", "0854-7221234-801", "7221234", "13812345678"):
            with self.subTest(value=value):
                self.assertIsNone(validate_phone(value))

    def test_other_text_is_not_a_phone_number(self):
        for value in ("0854-72", "abc", "12812345678", "854-7221234", "0854 7221234", ""):
            with self.subTest(value=value):
                self.assertInvalid(validate_phone, value, "phone")


class MaskTest(SimpleTestCase):
    def test_mask_keeps_region_prefix_and_last_four(self):
        number = None
        for month in range(1, 13):
            for sequence in range(1000):
                first17 = f"522727198{month % 10}{month:02d}15{sequence:03d}"
                if first17.endswith("123") and resident_id_check_char(first17) == "4":
                    number = first17 + "4"
                    break
            if number:
                break
        self.assertIsNotNone(number)
        self.assertIsNone(validate_resident_id(number))
        self.assertEqual(mask_resident_id(number), "5227**********1234")

    def test_mask_hides_the_birth_date(self):
        number = resident_id(birth="19900101")
        self.assertNotIn("19900101", mask_resident_id(number))
        self.assertEqual(len(mask_resident_id(number)), 18)

    def test_mask_of_nothing_is_empty(self):
        self.assertEqual(mask_resident_id(""), "")
        self.assertEqual(mask_resident_id(None), "")


class MessageLanguageTest(ValidatorTestCase):
    """Messages follow the active language. The zh-hans catalogue may not translate every
    string yet; a message it does not translate is skipped rather than asserted wrongly."""

    CASES = [
        (validate_resident_id, "123", "id_format"),
        (validate_resident_id, resident_id(birth="19900230"), "id_birth"),
        (validate_resident_id, resident_id()[:17] + wrong_char(resident_id()[17], "0123456789X"), "id_check"),
        (validate_credit_code, "I" * 18, "cc_format"),
        (validate_credit_code, credit_code()[:17] + wrong_char(credit_code()[17], "0123456789"), "cc_check"),
        (validate_mobile, "123", "mobile"),
        (validate_phone, "abc", "phone"),
    ]

    def test_messages_are_english_in_english(self):
        with translation.override("en"):
            for validator, value, code in self.CASES:
                with self.subTest(code=code):
                    error = self.assertInvalid(validator, value, code)
                    self.assertIsNone(CJK.search(error.messages[0]), error.messages[0])

    def test_messages_are_chinese_in_chinese(self):
        checked = 0
        with translation.override("zh-hans"):
            for validator, value, code in self.CASES:
                with self.subTest(code=code):
                    error = self.assertInvalid(validator, value, code)
                    message = error.error_list[0].message
                    with translation.override("en"):
                        english = str(message)
                    if str(message) == english:
                        continue  # not in the compiled catalogue yet
                    checked += 1
                    self.assertRegex(error.messages[0], CJK)
        if not checked:
            self.skipTest("the zh-hans catalogue does not translate the validator messages yet")
