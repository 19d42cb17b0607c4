"""The third round of crisis context rules: each class of wrong hit, and the real reports that
must still hit next to it."""

from __future__ import annotations

import pytest

from streams.core.text.config import TextConfig
from streams.core.text.tools import TextAnalytics
from tests.unit.conftest import crisis_categories


@pytest.mark.parametrize(
    "text",
    [
        # a negation inside a pattern's match
        "用了一个月，洗完头皮不痒，很清爽",
        "头发一直没痒过，这款也一样",
        # the existence denied after the term
        "开箱检查了，一个坏的都没有，很甜",
        "蟑螂没有，就是隔音差",
        "木有一个烂的，下次还买",
        # an itch of the past or of another product, and an anti-itch claim
        "原来经常头皮痒，用了这款现在好了",
        "换别的洗发水头皮就痒，只有这个不会",
        "去屑止头痒效果很好",
        # mould on a room's fixtures or bedding (upkeep, not food)
        "枕头套好像是发霉的，让服务员换了",
        "房间陈旧，到处是发霉的墙皮",
        # a device's fault, and fruit knocked in transit
        "遥控器坏了一个按键，空调也不制冷",
        "插座坏了两个，台灯也不亮",
        "运输途中磕坏了几个，其他还好",
        "买了三台平板，有两个是坏的，返修中",
        "开箱发现USB口一个是坏的",
        # a broken bottle, a garment's holes
        "洗发水瓶子烂了，漏了一地",
        "这裤子里面都是烂的",
        # 烂 with a degree word: lousy
        "这件衣服质量太烂了",
        "什么烂苹果，又小又干",
        # the tourism bureau as a rater, an owner, or the business's own contact
        "这家酒店是市旅游局评定的四星级",
        "这招待所是工商局办的，服务一般",
        "本店已与旅游局联系，为客人提供地图",
        # a hotel's slip, not the customer's bank dispute
        "前台开了张客人拒付的单子给我们签",
        # embarrassed to post
        "房间太寒酸，都不好意思发朋友圈",
        # hyperbole about oneself, a generic claim, a book's advice
        "这酸奶太好喝了，我要喝中毒了",
        "空腹喝牛奶拉肚子的情况时有发生，因人而异",
        "书里面说到经期肚子痛可以喝姜汤",
    ],
)
def test_classes_of_wrong_hit(tools: TextAnalytics, text: str) -> None:
    assert tools.crisis(text) == []


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # negation elsewhere does not reach the hit
        ("以前从来不痒，这次洗完头皮好痒", "safety"),
        ("蟑螂没有人管，到处爬", "safety"),
        # mould on food or drink, counted spoilage of fruit
        ("送来的面包发霉了", "safety"),
        ("一箱苹果坏了三个", "safety"),
        ("三个火龙果坏了俩", "safety"),
        ("吃了一个还是烂的", "safety"),
        ("外观没问题，里面坏了", "safety"),
        ("收到的橙子都是烂的", "safety"),
        ("开箱一个已经开始烂了", "safety"),
        ("打开包装已经烂了", "safety"),
        ("关键是有两个是坏的", "safety"),
        # a bank dispute of the customer's own, the consumer hotline as a destination
        ("我已经向信用卡银行申请拒付", "refund"),
        ("再不处理我就到315投诉", "regulator"),
        ("我会向315热线反映", "regulator"),
        # a regulator called to act on the hotel is still a report
        ("建议市场监管局查一查这家店", "regulator"),
    ],
)
def test_real_reports_next_to_them_still_hit(
    tools: TextAnalytics, text: str, category: str
) -> None:
    assert category in crisis_categories(tools, text)


def test_a_price_that_rose_to_315_is_not_the_hotline(tools: TextAnalytics) -> None:
    assert "regulator" not in crisis_categories(tools, "价格从215涨到315元，贵了")


def test_the_new_rules_are_part_of_the_default_rules() -> None:
    """Switching the default rules off brings back the bare terms, these classes included."""
    bare = TextAnalytics(TextConfig(default_rules=False, negation=False))
    assert "safety" in crisis_categories(bare, "枕头套好像是发霉的")
    assert "refund" in crisis_categories(bare, "前台开了张客人拒付的单子")


def test_a_deployment_can_drop_the_agency_context_of_a_bank_dispute() -> None:
    text = "前台开了张客人拒付的单子"
    # the context rule alone (the second reading reads this as no dispute too)
    relaxed = TextAnalytics(TextConfig(crisis_context={"拒付": "."}, crisis_second_reading=False))
    assert "refund" in crisis_categories(relaxed, text)
    assert "refund" not in crisis_categories(TextAnalytics(), text)
