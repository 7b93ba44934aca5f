"""Name normalisation, pinyin, credit codes and phones: the keys of the duplicate check and the search."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.customers.text import (
    CREDIT_ALPHABET,
    CREDIT_WEIGHTS,
    credit_check_char,
    name_initials,
    name_pinyin,
    normalize_credit_code,
    normalize_name,
    normalize_phone,
    pinyin_fields,
    valid_credit_code,
    valid_phone,
)


@pytest.mark.parametrize(
    "name",
    [
        "北京致远科技有限公司",
        "北京致远科技有限责任公司",
        "北京致远科技股份有限公司",
        "北京致远科技",
        " 北京 致远 科技 有限公司 ",
        "北京致远（科技）有限公司",
        "北京致远(科技)有限公司",
        "北京致远【科技】公司",
    ],
)
def test_spellings_of_one_company_share_one_key(name):
    assert normalize_name(name) == "北京致远科技"


def test_full_width_letters_and_digits_are_folded():
    assert normalize_name("ＡＢＣ１２３ 有限公司") == "abc123"


def test_a_suffix_alone_is_not_stripped_to_nothing():
    assert normalize_name("有限公司") == "有限公司"


def test_pinyin_and_initials():
    assert name_pinyin("北京致远科技") == "beijingzhiyuankeji"
    assert name_initials("北京致远科技") == "bjzykj"
    assert name_initials("重庆长安") == "cqca"  # 重庆 is chong qing, 长安 chang an: phrase-aware pinyin


def test_real_credit_codes_pass_their_check_digit():
    assert valid_credit_code("91350100M000100Y43")
    assert valid_credit_code("91110108551385082Q")
    assert not valid_credit_code("91110108551385082A")  # wrong check character
    assert not valid_credit_code("9111010855138508")  # too short
    assert not valid_credit_code("91110108551385082I")  # I is not in the alphabet


# GB 32100-2015, table 1 (character values) and table 2 (weights W_i = MOD(3^(i-1), 31)), written out from the
# standard: the oracle below does not use the code under test.
STANDARD_VALUES = {c: v for v, c in enumerate("0123456789ABCDEFGHJKLMNPQRTUWXY")}
STANDARD_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def standard_check_char(first17: str) -> str:
    total = sum(STANDARD_VALUES[c] * pow(3, i, 31) for i, c in enumerate(first17))
    value = 31 - total % 31
    return "0" if value == 31 else next(c for c, v in STANDARD_VALUES.items() if v == value)


def test_the_weights_are_the_standards():
    assert [pow(3, i, 31) for i in range(17)] == list(STANDARD_WEIGHTS)
    assert CREDIT_WEIGHTS == STANDARD_WEIGHTS
    assert CREDIT_ALPHABET == "".join(STANDARD_VALUES)


def test_the_standards_worked_example():
    """GB 32100-2015's example: the products of 91350100M000100Y4 sum to 1640, MOD(1640, 31) = 28, so the check
    character is the one worth 31 - 28 = 3, i.e. "3"; the example's "Z" is refused."""
    assert sum(STANDARD_VALUES[c] * w for c, w in zip("91350100M000100Y4", STANDARD_WEIGHTS, strict=True)) == 1640
    assert credit_check_char("91350100M000100Y4") == "3"
    assert valid_credit_code("91350100M000100Y43") is True
    assert valid_credit_code("91350100M000100Y4Z") is False


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038216",  # 华为技术有限公司 (a non-zero character where the weight is 10)
        "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
        "91330100799655058B",  # 阿里巴巴（中国）有限公司
        "91110108551385082Q",
    ],
)
def test_published_codes_pass_and_every_other_check_character_fails(code):
    assert valid_credit_code(code) is True
    assert standard_check_char(code[:17]) == code[17]
    for other in CREDIT_ALPHABET.replace(code[17], ""):
        assert valid_credit_code(code[:17] + other) is False


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("91441900MA4UH3L18", "0"),  # weighted sum ≡ 0 (mod 31): 31 - 0 wraps to "0"
        ("91441900MA4UH3L1J", "Y"),  # weighted sum ≡ 1: the last character of the alphabet
        ("91441900MA4UH3L1X", "1"),
    ],
)
def test_the_check_characters_at_both_ends_of_the_alphabet(first17, check):
    assert standard_check_char(first17) == check
    assert credit_check_char(first17) == check
    assert valid_credit_code(first17 + check) is True


@given(st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17))
def test_the_check_character_is_the_standards(first17):
    check = standard_check_char(first17)
    assert credit_check_char(first17) == check
    assert valid_credit_code(first17 + check) is True
    wrong = next(c for c in CREDIT_ALPHABET if c != check)
    assert valid_credit_code(first17 + wrong) is False


def test_only_seventeen_characters_have_a_check_character():
    with pytest.raises(ValueError):
        credit_check_char("9144030070846113")


@pytest.mark.parametrize(
    "spelt",
    ["9144 0300 7084 6113 6T", " 91440300708461136t ", "９１４４０３００７０８４６１１３６Ｔ", "914403007084 61136T"],
)
def test_a_code_with_spaces_lower_case_or_full_width_is_the_same_code(spelt):
    assert normalize_credit_code(spelt) == "91440300708461136T"
    assert valid_credit_code(spelt) is True


def test_empty_and_malformed_codes():
    assert normalize_credit_code(None) == "" and normalize_credit_code("") == ""
    assert valid_credit_code(None) is False
    assert valid_credit_code("") is False
    assert valid_credit_code("91440300708461136T1") is False  # 19 characters
    assert valid_credit_code("9144030070846113OT") is False  # O is not in the alphabet


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("致远集团有限公司", "致远"),
        ("致远股份公司", "致远"),
        ("致远集团公司", "致远"),
        ("致远北京分公司", "致远北京"),
        ("致远有限责任公司", "致远"),
        ("致远股份有限公司", "致远"),
        ("致远公司", "致远"),
        ("分公司", "分公司"),
    ],
)
def test_one_legal_form_suffix_is_dropped(name, key):
    assert normalize_name(name) == key


def test_an_empty_name_has_empty_keys():
    for name in (None, ""):
        assert normalize_name(name) == ""
        assert name_pinyin(name) == ""
        assert name_initials(name) == ""
        assert pinyin_fields(name) == ("", "")


def test_letters_and_digits_in_a_name_are_kept_in_its_pinyin():
    assert name_pinyin("3M中国") == "3mzhongguo"
    assert name_initials("3M中国") == "3mzg"
    assert pinyin_fields("3M中国·ABC") == ("3mzhongguoabc", "3mzgabc")
    assert pinyin_fields("中国3M") == ("zhongguo3m", "zg3m")


def test_spaces_and_punctuation_are_left_out_of_the_pinyin():
    assert name_pinyin("北京 致远·科技") == "beijingzhiyuankeji"
    assert name_initials("北京 致远（科技）") == "bjzykj"


def test_a_chinese_character_without_pinyin_is_kept_as_it_is():
    assert name_pinyin("北京㐂科技") == "beijing㐂keji"
    assert name_initials("北京㐂科技") == "bj㐂kj"
    assert pinyin_fields("北京㐂科技") == ("beijing㐂keji", "bj㐂kj")


def test_the_country_code_is_dropped_only_before_a_mainland_number():
    assert normalize_phone("8613812345678") == "13812345678"
    assert normalize_phone("+86 138 1234 5678") == "13812345678"
    assert normalize_phone("008613812345678") == "13812345678"
    assert normalize_phone("861381234567") == "861381234567"  # 10 digits after 86
    assert normalize_phone("86138123456789") == "86138123456789"  # 12 digits after 86
    assert normalize_phone("1381234567890") == "1381234567890"  # 13 digits without 86
    assert normalize_phone("00861381234567") == "00861381234567"
    # a landline written internationally: its area code (10, 2x, 3xx–9xx) gets its 0 back
    assert normalize_phone("+86 10 6234 5678") == "01062345678"
    assert normalize_phone("+86 755 8888 1234") == "075588881234"
    assert normalize_phone(None) == ""


def test_phones():
    assert normalize_phone("+86 138-1234-5678") == "13812345678"
    assert normalize_phone("0086 13812345678") == "13812345678"
    assert valid_phone("13812345678") and valid_phone("010-62345678") and valid_phone("0755 8888 1234")
    assert not valid_phone("12345") and not valid_phone("23812345678")
