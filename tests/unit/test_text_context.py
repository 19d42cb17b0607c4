"""The crisis and taboo detectors read context: negation, figurative use, names, script."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from streams.core.text.config import TextConfig
from streams.core.text.context import READ_PER_CATEGORY, CrisisDetector, TabooDetector
from streams.core.text.english import MAX_CHARS, EnglishScorer, english
from streams.core.text.script import simplifier
from streams.core.text.tools import TextAnalytics

# The lexicon and its rules alone, without the learned words: where a rule must leave a text
# at 0, the learned words would only add their quiet lean (test_english_learned.py).
LEXICON_ONLY = EnglishScorer()


@pytest.fixture(scope="module")
def tools() -> TextAnalytics:
    return TextAnalytics()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("店里很干净，没看到蟑螂和老鼠", []),
        ("No food poisoning, no rats, spotless kitchen!", []),
        ("用了没有过敏，洗完也不过敏", []),
        ("菜很新鲜，无异味", []),
        ("I didn't get sick at all", []),
        # a negation in an earlier clause, or a pseudo-negation, leaves the term standing
        ("不干净，有蟑螂", [("蟑螂", "safety")]),
        ("没想到吃出了虫子", [("虫子", "safety")]),
        ("吃了不到两小时就拉肚子", [("拉肚子", "safety")]),
        ("I couldn't stop vomiting after eating there", [("vomiting", "safety")]),
    ],
)
def test_negation_scope(tools: TextAnalytics, text: str, expected: list[tuple[str, str]]) -> None:
    assert tools.crisis(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "这首歌听得中毒了",
        "价格我都要过敏了",
        "心情受伤了",
        "天天下雨，人都要发霉了",
        "这家奶茶我喝中毒了，一周三杯",
        "他家的苍蝇馆子风格很地道",
        "米老鼠主题的儿童套餐孩子很喜欢",
        "房间有异味，开窗通风后好了",
        "多媒体播放器坏了",
        "曝光补偿调一下拍照更好看",
        "朋友是记者，推荐我们来吃的",
        "就在法院旁边，午饭时间人多",
        "如有变质可退货",
        "the rat race",
        "We watched a film in the media room",
        "Windows Media Player crashed",
        "My friend is allergic to shellfish so the staff adapted the dish.",
    ],
)
def test_figurative_and_idiomatic_use_is_no_crisis(tools: TextAnalytics, text: str) -> None:
    assert tools.crisis(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sue was our server and she was lovely", []),
        ("Ask for Sue, she makes the best cocktails", []),
        ("SUE's Kitchen is my favourite place", []),
        ("I will sue you", [("sue", "legal")]),
        ("I will SUE you", [("sue", "legal")]),
        ("I'm contacting a journalist about this", [("journalist", "media")]),
    ],
)
def test_english_names_and_case(
    tools: TextAnalytics, text: str, expected: list[tuple[str, str]]
) -> None:
    assert tools.crisis(text) == expected


def test_traditional_chinese_is_matched_as_simplified(tools: TextAnalytics) -> None:
    text = "律師函已經發出，我要找消費者協會和衛生署，麵包都發霉了"
    assert tools.crisis(text) == [
        ("律师函", "legal"),
        ("消费者协会", "regulator"),
        ("卫生署", "regulator"),
        ("发霉", "safety"),
    ]
    # offsets index the text as written
    hits = tools.crisis_hits(text)
    assert [text[h.start : h.end] for h in hits] == ["律師函", "消費者協會", "衛生署", "發霉"]
    assert tools.crisis("餐廳很乾淨，沒有蟑螂") == []
    assert tools.taboo("我們不會給你退的") == ["我们不会"]


def test_simplifier_keeps_length_and_skips_simplified_text() -> None:
    convert = simplifier()
    assert convert("吃完拉肚子") == "吃完拉肚子"
    assert convert("這家餐廳的湯裡有蟑螂") == "这家餐厅的汤里有蟑螂"
    assert all(len(convert(t)) == len(t) for t in ("乾隆頭髮", "後來發現", "麵包發霉"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("吃完他们家的烤鱼，半夜开始闹肚子", [("闹肚子", "safety")]),
        ("昨天点的外卖，今天全家肚子疼", [("肚子疼", "safety")]),
        ("孩子吃了炸鸡以后一直拉稀", [("拉稀", "safety")]),
        ("打开饭盒一股异味，肉都臭了", [("异味", "safety"), ("臭了", "safety")]),
        ("收到的火龙果烂了三个", [("烂了三个", "safety")]),
        ("洗完头皮很痒", [("头皮很痒", "safety")]),
    ],
)
def test_illness_and_spoilage_wording(
    tools: TextAnalytics, text: str, expected: list[tuple[str, str]]
) -> None:
    assert tools.crisis(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("菜少了一份，退钱吧", []),
        ("申请了全额退款，客服处理很快", []),
        ("I got a full refund, thanks to the manager.", []),
        ("我们几十个顾客准备集体退款", [("集体退款", "refund")]),
        ("I've filed a chargeback with my bank.", [("chargeback", "refund")]),
    ],
)
def test_refund_means_many_customers_or_a_bank_dispute(
    tools: TextAnalytics, text: str, expected: list[tuple[str, str]]
) -> None:
    assert tools.crisis(text) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("我们不会再让这种情况发生，非常抱歉", []),
        ("对不起，我们不会再犯同样的错误", []),
        ("我们不会推卸责任，马上为您处理", []),
        ("您应该得到更好的服务", []),
        ("我们不会给你换的", ["我们不会"]),
        ("我们不可能弄错，你自己看错了", ["我们不可能"]),
    ],
)
def test_a_refusal_followed_by_a_commitment_is_an_apology(
    tools: TextAnalytics, said: str, expected: list[str]
) -> None:
    assert tools.taboo(said) == expected


def test_rules_are_configurable_per_deployment() -> None:
    bare = TextConfig(negation=False, default_rules=False, traditional_to_simplified=False)
    assert [h.term for h in CrisisDetector(bare).find("没看到蟑螂，听歌听得中毒了")] == [
        "蟑螂",
        "中毒",
    ]
    assert CrisisDetector(bare).find("發霉") == []
    assert [h.term for h in TabooDetector(bare).find("我们不会再让这种情况发生")] == ["我们不会"]
    cfg = TextConfig(
        crisis_exclude={"safety": ["蟑螂药"]},
        crisis_include={"regulator": ["打了?市长热线"]},
        crisis_context={"蟑螂": "店|厨房|桌"},
        taboo_except_after={"我不知道": "[，,]?我(?:马上|这就)帮您问"},
    )
    detector = CrisisDetector(cfg)
    assert detector.find("家里买了蟑螂药") == []
    assert [(h.term, h.category) for h in detector.find("已经打了市长热线")] == [
        ("打了市长热线", "regulator")
    ]
    assert detector.find("小区里有蟑螂") == []
    assert [h.term for h in detector.find("店里有蟑螂")] == ["蟑螂"]
    assert TabooDetector(cfg).find("我不知道，我马上帮您问") == []
    with pytest.raises(ValidationError, match="regular expression"):
        TextConfig(crisis_exclude={"safety": ["("]})


def test_english_scoring_is_capped_and_linear() -> None:
    scorer = english()
    sentence = "The food was great but the service was slow. "
    long = sentence * (2 * MAX_CHARS // len(sentence))
    assert scorer.score(long) == scorer.score(long[:MAX_CHARS])
    assert LEXICON_ONLY.score("The table is next to the window.") == 0.0


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("The noodles were cold and the soup was far too salty.", -1),
        ("Nobody answered the phone when I called.", -1),
        ("The food was NOT good at all", -1),
        ("Service was slow but the chef came out to apologise, which was nice.", 1),
        ("Clean tables, quick service, and the dumplings were delicious.", 1),
    ],
)
def test_english_rules(text: str, sign: int) -> None:
    score = english().score(text)
    assert score * sign > 0.1


@pytest.mark.parametrize(
    "text",
    [
        "店里挂着灭蟑螂的贴纸，看着有点别扭",
        "这只仓鼠跟小老鼠一样可爱",
        "地板亮得苍蝇都站不住",
        "太苦了，孩子吃一口就吐了",
        "这个味道喝到想吐，以后不买了",
        "这家烤串我已经中毒了，天天想吃",
        "不知道放久了会不会变质",
        "一楼没有纱窗，容易进苍蝇",
        "文章说豆浆没煮熟与“中毒”有关",
        "浴室墙面有点发霉，需要翻新",
        "新买的裤子有一股臭味",
        "收到的时候纸箱都烂了，里面的杯子没事",
        "女儿对芒果过敏，点菜时说了一声",
        "入住时未发现床上有头发等异物",
        "据悉两家公司因举报互相起诉",
        "经理说要先问酒店律师再答复",
        "拍的照片可以发到网上分享",
        "已转发给朋友，强烈推荐这家",
        "The health inspection certificate was framed by the door.",
    ],
)
def test_hedges_comparisons_and_mentions_are_no_crisis(tools: TextAnalytics, text: str) -> None:
    assert tools.crisis(text) == []


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("汤里有只苍蝇，服务员还不承认", "safety"),
        ("到货都发臭了，必须差评", "safety"),
        ("收货时已经烂了，很失望", "safety"),
        ("一箱橙子烂了两个", "safety"),
        ("吃完半夜上吐下泻，怀疑是食物中毒", "safety"),
        ("我已经找了律师，准备起诉你们", "legal"),
        ("大家帮忙转发，让更多人看到", "viral"),
        ("I will report you to the health department", "regulator"),
    ],
)
def test_real_reports_still_hit(tools: TextAnalytics, text: str, category: str) -> None:
    assert category in {c for _, c in tools.crisis(text)}


def test_a_call_to_spread_needs_a_complaint_to_spread(tools: TextAnalytics) -> None:
    praise = "这家的蛋糕太好吃了，店员也很热情，大家转发一下"
    complaint = "蛋糕里吃出虫子，店员还不认账，太恶心了，转发微博"
    assert tools.crisis(praise) == []
    assert ("转发微博", "viral") in tools.crisis(complaint)
    # the sentiment rule alone: the second reading drops this praise's call too
    alone = TextConfig(viral_needs_complaint=False, crisis_second_reading=False)
    assert ("转发", "viral") in TextAnalytics(alone).crisis(praise)


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        # each of these scored exactly 0 before the review words and phrases
        ("The coffee tasted burnt.", -1),
        ("The receptionist was unhelpful and dismissive.", -1),
        ("The food took forever to come out.", -1),
        ("The shoes fell apart within a month.", -1),
        ("It took three weeks to arrive.", -1),
        ("The room had ants in the bathroom.", -1),
        ("The biryani was fragrant and the rice was fluffy.", 1),
        ("My food came out piping hot.", 1),
        ("The bag is sturdy and has plenty of pockets.", 1),
        # read as they mean, where a word alone gave the wrong sign
        ("The water tasted like chlorine and the bread was stale.", -1),
        ("They refused to honour the price on the shelf.", -1),
        ("I will not be coming back.", -1),
        ("We will definitely come back.", 1),
    ],
)
def test_english_review_words_and_phrases(text: str, sign: int) -> None:
    assert english().score(text) * sign > 0.1


def test_english_review_words_negate_and_names_do_not_count() -> None:
    scorer = english()
    assert scorer.score("The chair is sturdy.") > 0.1
    assert scorer.score("The chair is not sturdy.") < -0.1
    # capitalised inside a sentence, a review word is a name; at the start it is a word
    assert LEXICON_ONLY.score("We stayed at the Sturdy Inn near the station.") == 0.0
    assert scorer.score("Sturdy chair.") > 0.1
    # "like" after a verb of the senses compares; elsewhere it is still liking
    assert LEXICON_ONLY.score("The soup tasted like soup.") == 0.0
    assert scorer.score("I like the soup.") > 0.1
    # "took" a few minutes is no complaint; words with no opinion still score 0
    assert LEXICON_ONLY.score("Assembly took ten minutes.") == 0.0
    assert LEXICON_ONLY.score("The parcel was delivered on Tuesday.") == 0.0


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        # each of these scored exactly 0, or the wrong sign, before the second round of
        # review words, phrases and rules
        ("The sauce was gloopy and the fish smelled off.", -1),
        ("The waitress rolled her eyes at us.", -1),
        ("Way too much salt in everything.", -1),
        ("Delivery took over an hour.", -1),
        ("The chips could have been crispier.", -1),
        ("I was promised a callback that never happened.", -1),
        ("Wouldn't bother again.", -1),
        ("Customer service is a joke.", -1),
        ("The agent sorted my problem in five minutes.", 1),
        ("They replaced the faulty charger without any fuss.", 1),
        ("We got our food in under ten minutes.", 1),
        ("Couldn't be happier with the service.", 1),
        ("Would stay here again.", 1),
        ("Decent coffee.", 1),
    ],
)
def test_english_second_round_words_phrases_and_rules(text: str, sign: int) -> None:
    assert english().score(text) * sign > 0.1


def test_english_second_round_rules_keep_their_limits() -> None:
    scorer = english()
    # a phrase across a gap reads its negation where it starts
    assert scorer.score("We won't be ordering from here again.") < -0.1
    # "too" meaning "also" before a function word is no complaint
    assert scorer.score("The staff were kind too and the food was great.") > 0.5
    assert scorer.score("It was not too busy.") > 0.1
    # a fault is put right only when a remedy names it; a remedied part that breaks is not
    assert scorer.score("The replaced part broke again.") < -0.1
    # "at best" hedges, "at its best" does not
    assert scorer.score("The food was lukewarm at best.") < -0.1
    assert scorer.score("Seafood at its best.") > 0.1
    # plain facts still score 0
    assert LEXICON_ONLY.score("We ordered two pizzas and a salad.") == 0.0


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        # each of these scored exactly 0, or the wrong sign, before the third round (films,
        # electronics, goods bought online)
        ("Don't waste your money on this charger.", -1),
        ("Save your money.", -1),
        ("Nothing but trouble from day one.", -1),
        ("Zero issues after six months.", 1),
        ("No complaints at all.", 1),
        ("The app keeps crashing and the screen is dim.", -1),
        ("Customer support never replied to my emails.", -1),
        ("Definitely not worth the price.", -1),
        ("Predictable plot and wooden acting.", -1),
        ("An underrated gem.", 1),
        ("I wanted to love this film.", -1),
        ("2/10, fell asleep twice.", -1),
        ("10/10 would buy again", 1),
        ("4 out of 5, solid headset.", 1),
        ("1 star.", -1),
    ],
)
def test_english_third_round_words_phrases_and_rules(text: str, sign: int) -> None:
    assert english().score(text) * sign > 0.1


def test_english_third_round_rules_keep_their_limits() -> None:
    scorer = english()
    # not a waste is praise, and "didn't waste" is negated as usual
    assert scorer.score("It was not a waste of time.") > 0.1
    # a date or a fraction is no rating; 3 of 5 is not satisfied
    assert LEXICON_ONLY.score("Delivered on 12/5.") == 0.0
    assert scorer.score("3/5") < 0.0 < scorer.score("4/5") < scorer.score("5/5")
    # plain facts still score 0
    assert LEXICON_ONLY.score("The film runs for two hours.") == 0.0
    assert LEXICON_ONLY.score("The charger has two ports.") == 0.0


def test_a_flood_of_one_term_is_read_for_its_first_hits_of_each_category_only() -> None:
    """A pasted log or a flood repeats a term thousands of times: only the first hits of each
    category are read (the score counts two at most), and every category is still found."""
    text = (
        "吃完拉肚子了，" * 5_000 + "我要找记者曝光，" * 3 + "Found a cockroach in my soup. " * 2_000
    )
    hits = CrisisDetector().find(text)
    by_category = {c: sum(h.category == c for h in hits) for c in {h.category for h in hits}}
    assert by_category == {"safety": READ_PER_CATEGORY, "media": 6}  # 记者 and 曝光, three times
    assert [h.term for h in hits if h.category == "safety"][:1] == ["拉肚子"]
