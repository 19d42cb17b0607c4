"""The seventh round's classes of wrong crisis hit (rules.py, rules_cause.py): each next to a
real report in the same words that must still hit."""

from __future__ import annotations

import pytest

from streams.core.text.tools import TextAnalytics
from tests.unit.conftest import crisis_categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the tourism bureau as the body that rates hotels
        ("这样的服务怎么还能挂牌4星，当地的旅游局是怎么去复查他们的级别的", "regulator"),
        ("以后一定要住旅游局正式挂牌的酒店", "regulator"),
        # fruit left at home "a while" or "within a few days", with no time in days said
        ("表皮粗糙，放一段时间后，苹果都开始烂了", "safety"),
        ("可能现在不是苹果的季节，没过几天就坏了一个，挺可惜的", "safety"),
        # a device counted broken, misspelt
        ("发了一个坏的冲电器郁闷", "safety"),
        # a hotel's mouldy wallpaper or shower
        ("以后不会再去了，不想再看发霉脱落的壁纸了", "safety"),
        ("被套上一堆污渍 洗澡的都是发霉，简直就是招待所的水平", "safety"),
        ("浴池墙根一长排霉斑", "safety"),
        # goods' mouldy packaging
        ("有点小失望，像是假的。包装盒也发霉潮湿", "safety"),
        # an itch from the brand bought before, the reason to switch to this one
        ("先前买的潘婷，新买的用上不到一天头皮就痒得不行，这次换沙宣看看什么情况！", "safety"),
        # an itch the wash leaves as it was
        ("应该是买到假货了，洗过以后头皮还是很痒，跟没洗时差不多", "safety"),
        ("用了还是痒，和用之前一样", "safety"),
        # sick from staying in a room or a place
        ("现在想想都觉得可怕~！在那里呆久了会让人很难受像晕车一样想吐！", "safety"),
        ("一股味道。在里面待久了头晕", "safety"),
        # insects heard outside the window
        ("打开窗，窗外是虫子不停的鸣叫和其他房间空调室外机的轰鸣", "safety"),
        ("晚上窗外的虫鸣很吵", "safety"),
    ],
)
def test_no_crisis_does_not_hit(tools: TextAnalytics, text: str, category: str) -> None:
    assert category not in crisis_categories(tools, text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a complaint to the bureau about the hotel's stars
        ("我已向旅游局投诉这家挂牌四星的酒店", "regulator"),
        ("打算向旅游局举报他们的星级名不副实", "regulator"),
        # the fruit came so, or the days went by on the way
        ("苹果放一段时间居然就烂了", "safety"),
        ("快递路上没过几天就到了，收到时坏了一个", "safety"),
        ("收到就发现烂了，没过几天全坏了", "safety"),
        # the misspelt charger that smokes
        ("发了一个坏的冲电器，一用就漏电，手都麻了", "safety"),
        # mould on food in the room, pests by the mould, a shower curtain delivered mouldy
        ("房间里送的水果都发霉了", "safety"),
        ("墙上发霉，床上还有蟑螂", "safety"),
        ("网上买的浴帘，收到就发霉了", "safety"),
        # a fruit's mouldy box, and fruit in a mouldy package
        ("开箱看到这种货品，箱子都发霉了！", "safety"),
        ("外包装发霉，里面的苹果也长毛了", "safety"),
        # the itch that came with the goods, and the switch away from them
        ("用了这款头皮就痒得不行，只好换回原来的", "safety"),
        ("以前用潘婷，这次换沙宣看看，结果头皮痒得不行", "safety"),
        ("这款产品用完头发特别痒，本以为换洗发水换的用段时间就好了", "safety"),
        ("头皮屑去不掉，洗完头痒，跟没洗一样！", "safety"),
        ("没想到是假货，洗过不去屑，头痒和没洗一样", "safety"),
        # sick after food, a pest or a gas in the same sentence
        ("吃了早餐回房间待了一会就想吐", "safety"),
        ("喝了他们的奶茶，在店里待了一会就想吐", "safety"),
        ("房间有蟑螂，在那里呆久了想吐", "safety"),
        # insects that came in, or were seen as well as heard
        ("窗外的虫子飞进房间，咬了一身包", "safety"),
        ("床上有虫子在爬", "safety"),
        ("虫子叫了一夜，早上发现床上都是虫子", "safety"),
    ],
)
def test_real_reports_in_the_same_words_still_hit(
    tools: TextAnalytics, text: str, category: str
) -> None:
    assert category in crisis_categories(tools, text)
