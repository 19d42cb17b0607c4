"""Crisis words about something other than the goods' harm (rules_cause.py): clothes that
itch, the customer's own ailment, idioms, handling damage, broken fittings, fruit the customer
left, another product's or other people's itch, a scandal denied. Each class of wrong hit
sits next to a real report in the same words that must still hit."""

from __future__ import annotations

import pytest

from streams.core.text.tools import TextAnalytics
from tests.unit.conftest import crisis_categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # clothes that itch: the fabric's quality
        ("这件毛衣有点扎，穿在身上痒痒的", "safety"),
        ("裤子面料一般，穿起来，身上好痒", "safety"),
        ("袜子是化纤的，穿着皮肤发痒", "safety"),
        # the customer's own injury or illness, not the goods'
        ("前几天我的脚受伤了，只好让邻居帮忙取件", "safety"),
        ("前几天生病住院了，孩子帮我收的货", "safety"),
        ("冬天头皮总是很痒，买来试试看看会不会好点", "safety"),
        # idioms
        ("客服推来推去，算了，就当吞了只苍蝇吧", "safety"),
        ("看到这个回复，吞了苍蝇似的难受", "safety"),
        ("客服推脱，只当是吃了个死苍蝇", "safety"),
        # handling damage, not rot
        ("礼盒里有两个梨被捏坏了，其中一个坏的有点厉害", "safety"),
        ("橙子运输时撞伤了，有一个坏的比较明显", "safety"),
        # a broken fitting or port
        ("卫生间的花洒三个都是坏的", "safety"),
        ("售后说手机充电口发霉，不给保修", "safety"),
        ("房间的门把手两个都是坏的，前台半天才来修", "safety"),
        # fruit the customer left, no time said
        ("收到后放在那里没管，过了一阵子拿出来都发霉了", "safety"),
        ("买回来一直没吃，后来发现好几个烂了", "safety"),
        # another product's itch, or other people's
        ("以前用别的洗发水，洗完总是头皮痒，换了这个就好了", "safety"),
        ("看评论有人说头皮痒，我用着没问题", "safety"),
        ("用了头皮痒的可能是不适应，多用几次就好", "safety"),
        # a scandal denied
        ("这家公司一条丑闻都没有的原因是公关太强", "media"),
    ],
)
def test_not_the_goods_does_not_hit(tools: TextAnalytics, text: str, category: str) -> None:
    assert category not in crisis_categories(tools, text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # another product used along with the garment: its itch
        ("衣服挺好，洗头用了这个洗发水，头皮痒得不行", "safety"),
        # hurt by the goods
        ("椅子突然塌了，我摔下来腿受伤了", "safety"),
        ("刀片松了，切菜时割到手指受伤了", "safety"),
        ("用了这款头皮很痒，还起了红点", "safety"),
        # a real fly
        ("饭菜里吃出一只苍蝇，太恶心了", "safety"),
        ("房间里苍蝇飞来飞去", "safety"),
        # rot after a knock, or found inside
        ("苹果有两个碰烂了，都流水了", "safety"),
        ("以为只是外面碰坏了，切开才发现里面坏了", "safety"),
        ("压坏了一个，还有三个发霉了", "safety"),
        # spoiled fruit next to a device or a fitting
        ("花洒很好用，送的橙子两个都是坏的", "safety"),
        # fruit left a day or two, or delivered so
        ("桃子放着没管，第二天就烂了", "safety"),
        ("收到后放着没动，当天晚上打开苹果就烂了", "safety"),
        # this product's itch, against others'
        ("别的牌子都没事，用了这个头皮痒", "safety"),
        ("其他洗发水都好，唯独这款洗完头皮痒", "safety"),
        ("头皮痒的厉害，应该是过敏了", "safety"),
        # a scandal out
        ("丑闻一个接一个，以后再也不买了", "media"),
    ],
)
def test_real_reports_in_the_same_words_still_hit(
    tools: TextAnalytics, text: str, category: str
) -> None:
    assert category in crisis_categories(tools, text)
