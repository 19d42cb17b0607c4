"""Crisis words with no crisis of the business's making (rules_cause.py): each class of wrong
hit, and a real report in the same words that must still hit."""

from __future__ import annotations

import pytest

from streams.core.text.config import TextConfig
from streams.core.text.tools import TextAnalytics
from tests.unit.conftest import crisis_categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # kept at home for days, or forgotten
        ("香蕉放了一个星期没顾上吃，都烂了", "safety"),
        ("梨放冰箱里第三周才拿出来，有点烂了", "safety"),
        ("买回来忘了吃，后来烂掉了两个", "safety"),
        ("孩子不爱吃，就这么放烂了", "safety"),
        # a guess about goods not yet received
        ("快递还在路上，估计梨都烂了吧", "safety"),
        # someone else's goods
        ("超市买的苹果有异味，这个没有", "safety"),
        ("以前用的那款，洗完头皮也痒，换了这个好多了", "safety"),
        ("朋友送的那瓶洗完头皮痒", "safety"),
        # idioms and comparisons
        ("这个牌子现在成了过街老鼠", "safety"),
        ("那个推销员比苍蝇还烦人", "safety"),
        ("光会读书不过是一条虫", "safety"),
        # devices
        ("收到一个坏的手机，屏幕不亮", "safety"),
        ("手机待机一晚电量掉一半，客服说是漏电", "safety"),
        # harmless pests
        ("梨上有个地方被虫子咬过，其他都好", "safety"),
        ("晚上院子里虫子挺多，房间里很干净", "safety"),
        ("怕虫子的朋友最好别开窗", "safety"),
        # a hotel room's smell or mould
        ("进了客房，一股酸臭味", "safety"),
        ("床上面也是发霉的，换了一间", "safety"),
        # a media player
        ("手机打开媒体时很卡", "media"),
        # the boilerplate of a Weibo repost under a joke
        ("笑死我了 转发微博", "viral"),
        # a regulator named, no complaint
        ("酒店是市旅游局指定的接待单位", "regulator"),
        ("停车费按物价局的标准收取", "regulator"),
        ("坐公交坐到市监局那一站下车最近", "regulator"),
        ("前台说你去消协投诉吧，态度很差", "regulator"),
    ],
)
def test_classes_of_wrong_hit(tools: TextAnalytics, text: str, category: str) -> None:
    assert category not in crisis_categories(tools, text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # spoiled on arrival or soon after, or against expectation
        ("桃子放了两天就烂了", "safety"),
        ("冰箱里放了几天居然发霉了", "safety"),
        ("收到的梨都烂了，太差", "safety"),
        # this shop's goods, compared with others
        ("这家买的苹果有异味", "safety"),
        ("以前用的很好，这次洗完头皮痒", "safety"),
        ("上次买的苹果烂了两个，这次又这样", "safety"),
        # pests seen, next to a comparison
        ("房间里的蟑螂比老鼠还大", "safety"),
        ("厨房里有老鼠跑来跑去", "safety"),
        ("院子里的虫子飞进房间，床上都是", "safety"),
        ("苹果里面有虫子", "safety"),
        # spoiled goods counted, a real shock
        ("一箱苹果有两个坏的", "safety"),
        ("充电时外壳漏电，手摸上去发麻", "safety"),
        # food in a hotel room, a pest in a damp one
        ("房间送来的饭菜有酸臭味", "safety"),
        ("房间有蟑螂，潮湿，到处是霉味", "safety"),
        # the press
        ("我要把这事发给媒体", "media"),
        # a repost that calls for a boycott
        ("黑心企业，抵制到底！ 转发微博", "viral"),
        ("实际行动，不购买任何这个牌子的产品 转发微博", "viral"),
        # a complaint to a regulator
        ("我已经向物价局举报了", "regulator"),
        ("再不退款我就去消协投诉", "regulator"),
        ("前台态度恶劣，我打了12315投诉", "regulator"),
    ],
)
def test_real_reports_next_to_them_still_hit(
    tools: TextAnalytics, text: str, category: str
) -> None:
    assert category in crisis_categories(tools, text)


def test_the_rules_are_part_of_the_default_rules() -> None:
    bare = TextAnalytics(TextConfig(default_rules=False, negation=False))
    assert "safety" in crisis_categories(bare, "香蕉放了一个星期没顾上吃，都烂了")
    assert "regulator" in crisis_categories(bare, "停车费按物价局的标准收取")


def test_a_deployment_can_count_every_repost() -> None:
    text = "笑死我了 转发微博"
    # the second reading, which reads a laugh as no crisis, is switched off with it
    relaxed = TextAnalytics(
        TextConfig(crisis_context={"转发微博": "."}, crisis_second_reading=False)
    )
    assert "viral" in crisis_categories(relaxed, text)
