"""Contact details masked in what the public portal shows (suggestions/masking.py)."""

import pytest

from suggestions.masking import EMAIL_MASK, ID_MASK, PHONE_MASK, mask_contacts


@pytest.mark.parametrize(
    "shape",
    [
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 13812345678",
        "+86-138-1234-5678",
        "8613812345678",
        "１３８１２３４５６７８",
        "0357-5620000",
        "0357－5620000",
        "(0357)5620000",
        "（0357）5620000",
        "（0357） 5620000",
        "0357 5620000",
        "03575620000",
        "010-12345678",
        "0357-5620000-801",
        "0357-5620000转801",
    ],
)
def test_phone_numbers_are_masked_in_every_shape(shape):
    masked = mask_contacts(f"请与我们联系{shape}，谢谢。")
    assert masked == f"请与我们联系{PHONE_MASK}，谢谢。"


@pytest.mark.parametrize("number", ["110101199003071234", "11010119900307123X", "11010119900307123x"])
def test_id_numbers_are_masked(number):
    assert mask_contacts(f"身份证{number}。") == f"身份证{ID_MASK}。"


def test_old_fifteen_digit_id_numbers_are_masked():
    assert mask_contacts("证号110101900307123") == f"证号{ID_MASK}"


@pytest.mark.parametrize(
    "address", ["x@y.cn", "zhang.san@huozhou.gov.cn", "li_si+1@mail.example.com", "a＠b.cn"]
)
def test_email_addresses_are_masked(address):
    assert mask_contacts(f"邮箱：{address}") == f"邮箱：{EMAIL_MASK}"


@pytest.mark.parametrize("text", ["联系电话：5620000", "手机号码为 5620000", "热线 12345-6", "电话:562 0000"])
def test_a_number_after_a_word_naming_a_phone_is_masked_even_without_an_area_code(text):
    masked = mask_contacts(text)
    assert masked.endswith(PHONE_MASK) and not any(c.isdigit() for c in masked)


def test_the_numbers_named_by_the_caller_are_masked_whatever_their_shape():
    text = "可拨打 562 00 00 或 5620000，代表本人 139 0000 1111。"
    masked = mask_contacts(text, phones=["0357-562-0000", "13900001111", "5620000"])
    assert masked == f"可拨打 {PHONE_MASK} 或 {PHONE_MASK}，代表本人 {PHONE_MASK}。"


@pytest.mark.parametrize(
    "text",
    [
        "霍交函〔2025〕12号",
        "2025年12月31日前完成",
        "投资5620000元，惠及138户",
        "全长12.5公里，共1380米",
        "第12号建议",
        "拨打12345热线",
        "2025-12-31",
    ],
)
def test_numbers_that_are_not_contacts_are_kept(text):
    assert mask_contacts(text) == text


def test_several_details_in_one_text_are_all_masked():
    text = "联系人王芳，手机13812345678，座机(0357)5620000，邮箱wf@hz.gov.cn，身份证110101199003071234。"
    masked = mask_contacts(text)
    assert masked == (f"联系人王芳，手机{PHONE_MASK}，座机{PHONE_MASK}，邮箱{EMAIL_MASK}，身份证{ID_MASK}。")


def test_empty_text_stays_empty():
    assert mask_contacts("") == "" and mask_contacts(None) == ""
