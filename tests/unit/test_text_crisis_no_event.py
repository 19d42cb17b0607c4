"""Crisis words that name no harm that happened to the goods delivered (rules_cause.py): each
class of wrong hit next to a real report in the same words that must still hit."""

from __future__ import annotations

import pytest

from streams.core.text.tools import TextAnalytics
from tests.unit.conftest import crisis_categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # handling damage with no rot or pest after it
        ("礼盒里有两个梨被捏坏了，其中一个坏的有点厉害", "safety"),
        # a complaint meant and given up
        ("本想到315投诉，但忙的都没时间", "regulator"),
        ("本来打算向消协投诉，后来算了", "regulator"),
        # a regulator's office as a landmark or a service point
        ("酒店旁边旅游局办事处订机票很方便", "regulator"),
        ("酒店就在工商局对面，好找", "regulator"),
        # a harm imagined: in the clause of an if, or feared later in its sentence
        ("这么复杂的通道，万一酒店失火，住户跑都跑不掉", "safety"),
        ("要是吃出虫子怎么办", "safety"),
        ("一旦漏电后果不堪设想", "safety"),
        ("如果点肉，鱼之类，真怕是变质的", "safety"),
        # fruit gone bad at home on the third day or later
        ("买回来第3天里面就全部发霉烂掉了", "safety"),
        ("第4天早上就有两个发霉了", "safety"),
        ("买的桃子五天后全烂了", "safety"),
        ("放了三四天苹果就烂了", "safety"),
        # a hole, no rot; slight rot the customer calls nothing
        ("不错，就一个坏了个洞。其他都不错", "safety"),
        ("味道还可以，就是有一个坏了一点点，正常现象", "safety"),
        ("就一个苹果稍微有小块腐烂，但不影响食用", "safety"),
        # insects a place draws: a prediction
        ("三层的空中花园会引来不少虫子", "safety"),
        # swallowing a fly as a figure, in its other spellings
        ("让我顿时象吞吃了个苍蝇似地倒了胃口", "safety"),
        # a torn label, carrier bag or bathrobe: damage, not rot
        ("卖家说标签烂了是经常的事，在饭店打开了也不能不喝", "safety"),
        ("包装误拆 兜子都是烂的 盒子也是烂的", "safety"),
        ("房间内极差 浴袍都是烂的", "safety"),
    ],
)
def test_no_harm_does_not_hit(tools: TextAnalytics, text: str, category: str) -> None:
    assert category not in crisis_categories(tools, text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # mould or a pest named after a knock: the knock's reach stops before the whole word
        ("有一个可能路上碰伤了，收到后都有点上霉了", "safety"),
        ("橙子磕伤了一块，伤口那里发霉了", "safety"),
        ("梨磕伤了一块，盒子里一只苍蝇", "safety"),
        ("橙子压伤了一个，箱底有老鼠屎", "safety"),
        # the complaint made after all, and one made near a landmark
        ("本想算了，后来还是打了12315投诉", "regulator"),
        ("酒店对面的大排档太吵，我打了12315", "regulator"),
        ("明天去工商局门口拉横幅", "regulator"),
        # the harm met after the worry, a fear of goods found rotten, a counterfactual, sarcasm
        ("本来还担心会变质，结果收到就发霉了", "safety"),
        ("居然都是烂水果，吃了怕吃坏肚子，直接扔了", "safety"),
        ("要是早知道有蟑螂就不住了", "safety"),
        ("有个烂苹果，如果可以多放几个烂的", "safety"),
        # days spent on the way, two or three days, days that took the telling
        ("第3天才收到，烂了一半", "safety"),
        ("物流走了四天后才到，苹果全烂了", "safety"),
        ("买的梨两三天后就烂了", "safety"),
        ("送人的，过了几天她才给我说，每个都是烂的", "safety"),
        # a hole with rot inside; rot besides the slight one; bad fruit "understandable"
        ("坏了个洞，里面都烂了", "safety"),
        ("有一个坏了一点点，正常，另外两个苹果全烂了", "safety"),
        ("坏了两个，可以理解", "safety"),
        # the insects drawn came in
        ("花园引来的虫子飞进房间，咬了一身包", "safety"),
        # a real fly eaten
        ("米饭里吃了个苍蝇，恶心", "safety"),
        # the fruit rotten behind a sound label
        ("标签很好，打开一看苹果烂了两个", "safety"),
    ],
)
def test_real_reports_in_the_same_words_still_hit(
    tools: TextAnalytics, text: str, category: str
) -> None:
    assert category in crisis_categories(tools, text)
