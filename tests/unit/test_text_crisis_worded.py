"""Reports in the words customers use for what happened, Chinese (terms.py, rules_worded.py)
and English (terms_en.py, rules_english.py), each class next to text in the same words that
must not hit (written for the tests)."""

from __future__ import annotations

import pytest

from streams.core.text.tools import TextAnalytics
from tests.unit.conftest import crisis_categories

TOOLS = TextAnalytics()


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("昨晚吃了他家的烤串，拉了一整晚，今天还在虚脱", "safety"),
        ("麻辣烫吃完窜稀，跑了好几趟", "safety"),
        ("米线汤里捞出一根长头发，恶心死了", "safety"),
        ("汉堡咬到一枚订书钉，牙都硌疼了", "safety"),
        ("鸡排里面还是生的，咬开全是血水", "safety"),
        ("面包买回来当天就长毛了", "safety"),
        ("酒店床上有臭虫，胳膊被咬了一排包", "safety"),
        ("充电器插上就冒烟，插座都烧黑了", "safety"),
        ("店里地板太滑，我妈滑倒了，手腕骨折", "safety"),
        ("用了这款面霜脸上起了一片疹子", "safety"),
        ("几百个会员都在群里要求退卡", "refund"),
        ("已经向银行发起争议交易，钱被冻结了", "refund"),
        ("我已经打了新闻热线，他们说明天派人来", "media"),
        ("不赔偿的话，法庭上见", "legal"),
        ("大家帮忙转一下，让更多人看到这家店怎么对顾客的", "viral"),
        # the eleventh round: any dish named, counted symptoms, the press and lawyers at work
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
        # English, from terms_en.py and rules_english.py
        ("Had their prawn curry for dinner and we were both vomiting by midnight.", "safety"),
        ("There was a shard of glass in my muffin, I cut my gum on it.", "safety"),
        (
            "My son's lips swelled up within minutes, even though we told them about his "
            "peanut allergy.",
            "safety",
        ),
        ("Found mouse droppings all over the shelf next to the bread.", "safety"),
        ("The yoghurt was two weeks out of date and it tasted sour.", "safety"),
        ("Slipped on the wet floor by the toilets and fractured my wrist.", "safety"),
        ("The kettle in our room sparked and the socket went black.", "safety"),
        ("I've sent the photos to the local paper and a reporter called me back.", "media"),
        ("Reported the kitchen to environmental health this morning.", "regulator"),
        ("My solicitor will be in touch about the burns my daughter suffered.", "legal"),
        ("I've disputed the charge with my bank, the food never came.", "refund"),
        ("All 40 of us who bought the party package want our money back.", "refund"),
        ("Please share, this shop sells expired baby formula. Warn your friends.", "viral"),
        ("I filed a complaint with the FTC about the hidden fees.", "regulator"),
        # the twelfth round: the press, agencies, courts, banks and spreading in other words
        ("A producer from the consumer TV show rang me back about the mouldy cake.", "media"),
        ("My complaint goes on air tomorrow unless someone from head office calls me.", "media"),
        ("Lodged a report with the SFA about the kitchen, they gave me a reference.", "regulator"),
        ("The local authority's food team came round after I reported the rats.", "regulator"),
        ("Filed the claim form at the county court, you'll be served next week.", "legal"),
        ("My bank's fraud team is reversing the payment for the room we never got.", "refund"),
        ("Half the office wants a refund after the catered lunch made people ill.", "refund"),
        ("Screenshot this before they delete it: the manager told me to get lost.", "viral"),
        ("Put this in the estate group chat so nobody else falls for their fake sale.", "viral"),
        ("There was a gecko running along the counter next to the cakes.", "safety"),
        ("Already sent the video to the BBC, they want to talk to your manager.", "media"),
        ("The Star has my complaint and the photos of the kitchen now.", "media"),
        ("The heat lamp was so low the tablecloth caught and was on fire for a minute.", "safety"),
    ],
)
def test_what_happened_in_the_customers_words_hits(text: str, category: str) -> None:
    assert category in crisis_categories(TOOLS, text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # unripe fruit and a sour taste are no spoilage; a red dot on a screen is no rash
        ("苹果还没熟，酸涩得很", "safety"),
        ("这款柠檬茶太酸了", "safety"),
        ("屏幕右上角有个小红点，不影响使用", "safety"),
        # a fall feared, a price slashed (骨折价), boiling water for tea, 不熟悉, 学生的
        ("卫生间地上全是水，一不小心就会滑倒", "safety"),
        ("双十一价格直接骨折，太划算了", "safety"),
        ("大堂有热水，可以烧水泡茶", "safety"),
        ("我对这一带不熟悉，导航找了半天", "safety"),
        ("学生的饭卡在食堂可以用", "safety"),
        # posting on a forum is no call to spread
        ("论坛发帖要先完成新手任务", "viral"),
        # a rant, goosebumps, a metaphor, a fall that nearly happened
        ("吃完饭我们俩开始吐槽公司的事，聊到半夜", "safety"),
        ("天冷了，一出门就起鸡皮疙瘩", "safety"),
        ("这本书的蚂蚁论让我思考了很久", "safety"),
        ("地上有点滑，差点滑了一跤，提醒大家小心", "safety"),
        # a shop for sale, an address, one customer's refund, a small sum
        ("老板已经在转让店铺了，下个月关门", "viral"),
        ("市场局对面那家面馆，味道一般", "regulator"),
        ("不建议大家买，我自己已经申请退还了", "refund"),
        ("客服说几十块钱的差价可以来退", "refund"),
        # English: idioms, a guest looked after, an address, an acronym on a label
        ("The chips were stone cold when they arrived.", "safety"),
        ("Pork ribs so tender they fell off the bone.", "safety"),
        ("Great hand-cut chips and a decent pint.", "safety"),
        ("Their bagels are a weekend staple in our house.", "safety"),
        ("I was sick of waiting, so we left before dessert.", "safety"),
        ("Had a rotten week, but the pho put me right.", "safety"),
        ("Time flies when the food is this good.", "safety"),
        ("The hotel looked after us so kindly when my wife fell ill on the trip.", "safety"),
        ("Signal dropped in the middle of a job interview.", "media"),
        ("The council office is right across the road, easy parking.", "regulator"),
        ("I disputed the bill with the waiter and he fixed it at once.", "refund"),
        ("这款面霜有FDA认证，用着很舒服", "regulator"),
        ("PSA: they open at seven on weekends now!", "viral"),
        ("The editor of our school magazine loves their scones.", "media"),
        ("Love the new spot check board in the lobby, the gym is spotless.", "regulator"),
        ("Our family group chat voted this the best dim sum in town.", "viral"),
        ("The chef was on fire tonight, every plate a winner.", "safety"),
        ("I nearly fainted at the price of the truffle fries.", "safety"),
        ("Crushed ice, crushed pistachios, the best dessert here.", "safety"),
        ("I felt a bit bloated after the buffet, my own fault for the third plate.", "safety"),
        ("Can we book the smoking area for twelve on Friday?", "safety"),
        ("We watched the BBC news on the big screen while we ate.", "media"),
        ("Going to the Star Vista branch tomorrow, their laksa is the best.", "media"),
    ],
)
def test_the_same_words_in_everyday_senses_do_not(text: str, category: str) -> None:
    assert category not in crisis_categories(TOOLS, text)


@pytest.mark.parametrize(
    ("text", "legal"),
    [
        # compensation for one order asked about, or claimed from the customer
        ("水果坏了两个，请问能索赔吗", False),
        ("打碎了一个杯子，酒店索赔我两百元", False),
        ("快递坏了几个，请问怎么样索赔", False),
        # damages suffered and described, a theft the police looked into
        ("这次住店遭受了不小的精神损失，以后再也不来了", False),
        ("房间被盗，报警后警察说证据不足很难立案", False),
        # a claim pressed
        ("食物中毒住院，我们会索赔到底", True),
        ("已经请律师索赔医药费", True),
        ("我要求赔偿精神损失费，否则就起诉", True),
    ],
)
def test_a_compensation_question_is_no_legal_threat(text: str, legal: bool) -> None:
    assert ("legal" in crisis_categories(TOOLS, text)) is legal
