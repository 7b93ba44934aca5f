"""Name normalisation, pinyin, credit codes and phones: the keys of the duplicate check and the search."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kehu.customers.text import (
    CREDIT_ALPHABET,
    credit_check_char,
    name_initials,
    name_pinyin,
    normalize_name,
    normalize_phone,
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


@given(st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17))
def test_the_check_character_validates_and_any_other_is_refused(first17):
    check = credit_check_char(first17)
    assert valid_credit_code(first17 + check)
    wrong = next(c for c in CREDIT_ALPHABET if c != check)
    assert not valid_credit_code(first17 + wrong)


def test_phones():
    assert normalize_phone("+86 138-1234-5678") == "13812345678"
    assert normalize_phone("0086 13812345678") == "13812345678"
    assert valid_phone("13812345678") and valid_phone("010-62345678") and valid_phone("0755 8888 1234")
    assert not valid_phone("12345") and not valid_phone("23812345678")
