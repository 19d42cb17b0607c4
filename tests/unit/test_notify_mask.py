"""Personal data is masked in everything a person reads (schemas/mask.py)."""

from __future__ import annotations

import pytest

from schemas.mask import mask_labels, mask_name, mask_text, mask_value


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("电话13812345678请回电", "电话138****5678请回电"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("+86-13812345678", "+86 138****5678"),
        ("8613812345678", "86 138****5678"),
        ("0086 19912345678", "0086 199****5678"),
        ("call 17012345678, or 15912345678.", "call 170****5678, or 159****5678."),
    ],
)
def test_mobile_numbers_keep_the_first_three_and_last_four_digits(raw: str, masked: str) -> None:
    assert mask_text(raw) == masked


@pytest.mark.parametrize(
    "kept",
    [
        "12812345678",  # 12x is no mobile prefix
        "1381234567",  # ten digits
        "138123456789",  # twelve digits: part of a longer number
        "1763907200000",  # a millisecond timestamp
        "400-820-8820",  # a company's service number
        "2026-11-23 12:00",
        "CSAT 42%（25 条评价）",
    ],
)
def test_numbers_that_are_not_phones_stay(kept: str) -> None:
    assert mask_text(kept) == kept


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("021-62345678", "021-****5678"),
        ("(0571)88886666", "(0571)****6666"),
        ("0755 2345 6789", "0755 ****6789"),
        ("010-62345678-123", "010-****5678"),  # the extension goes too
    ],
)
def test_landlines_keep_the_area_code_and_last_four(raw: str, masked: str) -> None:
    assert mask_text(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("11010519491231002X", "110***********002X"),
        ("身份证号 440308199901011234。", "身份证号 440***********1234。"),
        ("110105491231002", "110********1002"),  # the old 15-digit form
    ],
)
def test_id_card_numbers_hide_the_birth_date(raw: str, masked: str) -> None:
    assert mask_text(raw) == masked


def test_an_eighteen_digit_order_number_without_a_birth_date_stays() -> None:
    assert mask_text("订单 202611231234567890") == "订单 202611231234567890"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("wang.xiaoming@example.com", "w***@example.com"),
        ("mail 13812345678@163.com now", "mail 1***@163.com now"),  # a mobile as mailbox name
        ("a+b@mail.example.com.cn", "a***@mail.example.com.cn"),
    ],
)
def test_email_addresses_keep_the_first_letter_and_the_domain(raw: str, masked: str) -> None:
    assert mask_text(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),  # compound surname
        ("欧阳", "欧*"),  # too short to be surname + given name
        ("阿卜杜·热合曼", "阿******"),
        ("John Smith", "J*** S***"),
        ("张**", "张**"),  # already masked: unchanged
        ("", ""),
    ],
)
def test_names_keep_only_the_surname(raw: str, masked: str) -> None:
    assert mask_name(raw) == masked


def test_labels_mask_names_by_key_and_patterns_everywhere() -> None:
    labels = {
        "store_id": "S003",
        "brand": "禾风小馆",  # a name, but a shop's: not personal
        "customer_name": "李四",
        "agent_name": "王五",
        "customer_phone": "138 1234 5678",
        "phone": "12345",  # unrecognised, but the key says it is personal
        "email": "x",
        "note": "客户电话 13912345678",
    }
    assert mask_labels(labels) == {
        "store_id": "S003",
        "brand": "禾风小馆",
        "customer_name": "李*",
        "agent_name": "王*",
        "customer_phone": "138****5678",
        "phone": "***45",
        "email": "****",
        "note": "客户电话 139****5678",
    }


def test_masking_twice_changes_nothing() -> None:
    text = "王小明 13812345678 wang@example.com 11010519491231002X 021-62345678"
    once = mask_text(text)
    assert mask_text(once) == once
    assert mask_value("customer_name", mask_value("customer_name", "王小明")) == "王**"
