"""The eleventh round (terms.py, rules_worded.py): more Chinese reports in the customer's
words, each class next to text in the same words that must not hit (written for the tests)."""

from __future__ import annotations

import pytest

from streams.core.text.tools import TextAnalytics
from tests.unit.conftest import crisis_categories

TOOLS = TextAnalytics()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("凉皮里有根头发，差点吞下去", "safety"),
        ("烤肠签子上有毛刺，把我上颚扎破了，流了不少血", "safety"),
        ("孩子喝了那杯果汁，回家路上开始吐，吐了三次", "safety"),
        ("酒店床上有跳蚤，两条腿被叮得全是包", "safety"),
        ("浴室地面太滑，我爸洗澡时滑了一跤，后脑勺磕了个大包", "safety"),
        ("记者已经到店门口了，说要看后厨", "media"),
        ("我已经把照片发到电视台的新闻爆料邮箱了", "media"),
        ("我已经向区卫生部门反映了后厨的问题", "regulator"),
        ("我的律师下午会给你们打电话谈赔偿", "legal"),
        ("店关了，几十个会员在门口排队要求退还卡里的钱", "refund"),
        ("已经通过信用卡中心对这笔扣款提出异议了", "refund"),
        ("朋友圈都在转这家店后厨的视频，太恶心了", "viral"),
    ],
)  # fmt: skip
def test_what_happened_in_the_customers_words_hits(text: str, category: str) -> None:
    assert category in crisis_categories(TOOLS, text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("吃完饭我们俩开始吐槽公司的事，聊到半夜", "safety"),
        ("天冷了，一出门就起鸡皮疙瘩", "safety"),
        ("这本书的蚂蚁论让我思考了很久", "safety"),
        ("地上有点滑，差点滑了一跤，提醒大家小心", "safety"),
        ("老板已经在转让店铺了，下个月关门", "viral"),
        ("市场局对面那家面馆，味道一般", "regulator"),
        ("不建议大家买，我自己已经申请退还了", "refund"),
        ("客服说几十块钱的差价可以来退", "refund"),
    ],
)  # fmt: skip
def test_the_same_words_in_everyday_senses_do_not(text: str, category: str) -> None:
    assert category not in crisis_categories(TOOLS, text)
