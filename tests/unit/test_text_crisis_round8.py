"""The eighth round (rules.py, terms.py), from text written to test the detector: reports it
missed, each class next to a text in the same words that must not hit."""

from __future__ import annotations

import pytest

from streams.core.text.tools import TextAnalytics
from tests.unit.conftest import crisis_categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the market regulator by its full name; a damages claim; a case filed; going to court
        ("已经把情况反映给市场监督管理局了，等他们处理", "regulator"),
        ("这件事我一定会索赔到底", "legal"),
        ("派出所已经立案，店家还在推脱", "legal"),
        ("不给个说法就上法院见", "legal"),
        # what was found in the food, or the injury, in the customer's words
        ("炒饭里吃出一片碎玻璃，差点咽下去", "safety"),
        ("汤里混着一根烟头，服务员还说是香料", "safety"),
        ("饺子馅里有好多虫卵，白花花的", "safety"),
        ("半夜看到小强在床头爬", "safety"),
        ("凉面已经发馊了还送过来", "safety"),
        ("孩子被桌子的铁角划了，额头缝了三针", "safety"),
        ("热汤直接泼到手上，烫红一大片", "safety"),
        ("牙被骨头渣扎出血了", "safety"),
        # the press handed the evidence, or filming it
        ("聊天记录和照片都交给了晚报的记者", "media"),
        ("后厨老鼠乱窜的样子被记者拍到了", "media"),
        # many customers after their money at once
        ("店铺跑路了，会员们组团维权", "refund"),
        ("群里三十多个人都在申请退款", "refund"),
        ("我已经向银行提交了信用卡申诉", "refund"),
        # a post already sent
        ("吃出虫子的视频我已经发了抖音", "viral"),
    ],
)
def test_a_report_in_the_customers_words_hits(
    tools: TextAnalytics, text: str, category: str
) -> None:
    assert category in crisis_categories(tools, text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # praise, licences and jobs at a regulator; no need to call it
        ("门口挂着市场监管局颁的放心店牌子，吃得安心", "regulator"),
        ("表哥在卫生局上班，推荐我来这家", "regulator"),
        ("店长马上给换了，根本不用打12315", "regulator"),
        # a past trade, other people's talk, praise as a mock threat
        ("老板娘退休前当过律师，说话特别有条理", "legal"),
        ("隔壁几个人一直在聊打官司的事，有点吵", "legal"),
        ("好吃到想起诉老板为什么不早点开分店", "legal"),
        # a precaution, a worry the sentence denies, an allergy stated, a dish's own smell
        ("服务员上石锅时一直提醒小心烫伤", "safety"),
        ("原本担心吃生蚝会拉肚子，结果第二天啥事没有", "safety"),
        ("宝宝花生过敏，后厨专门换了油给他做", "safety"),
        ("臭鳜鱼有臭味是正常的，越臭越香", "safety"),
        ("一直肠胃不好，吃什么都拉肚子，跟这家没关系", "safety"),
        ("老鼠斑蒸得刚好，肉很嫩", "safety"),
        ("周年庆出血价，人均才五十", "safety"),
        # known, seen on TV, imagined press, coverage that brought customers
        ("曝光率不高的小店，懂的人才来", "media"),
        ("小时候在电视台的美食节目里看过这家", "media"),
        ("要是有记者来采访，我一定说这家的包子最好", "media"),
        ("自从被电视台报道后，排队的人太多了", "media"),
        # a rumour denied, a dispute asked about
        ("集体退款的传言是假的，店家已经澄清", "refund"),
        ("想问问信用卡申诉一般要多久？只是好奇", "refund"),
        # a giveaway, praise passed on, a post not sent, a blacklist it is not on
        ("转发这条就送一杯奶茶", "viral"),
        ("本来想发微博吐槽排队久，吃完决定夸", "viral"),
        ("我的避雷名单里从来没有这家", "viral"),
        # a plot, and a joke
        ("电视剧里那家饭馆吃出老鼠的桥段，拍得好假", "safety"),
        ("同事开玩笑说这家会吃坏肚子，结果他自己吃了三碗", "safety"),
    ],
)
def test_the_same_words_without_a_crisis_do_not_hit(
    tools: TextAnalytics, text: str, category: str
) -> None:
    assert category not in crisis_categories(tools, text)
