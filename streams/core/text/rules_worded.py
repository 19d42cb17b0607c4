"""Contexts for the crisis terms that say what happened in the customer's own words.

The terms of the first rounds name the crisis (食物中毒, 异物, 集体退款, 记者); many customers
name what happened instead: 拉了一整晚, 汤里捞出一根头发, 几百个会员都要退卡, 已经打了新闻热线.
Texts written in those words (``bench/data/crisis_train_written.jsonl``) were missed by the
lexicon about half the time. The terms are in ``terms.py``; the ones that also have everyday
senses count only in the context given here (merged into the detector's tables as
``rules.NEEDS_CONTEXT`` is), and every hit is then read by the second reading
(``crisis_reading.py``), which was trained with them.
"""

from __future__ import annotations

from typing import Final

from streams.core.text.config import CrisisCategory
from streams.core.text.rules import PRESS_REACHED_ZH
from streams.core.text.terms import GROUP_REFUND_ZH, VOMITING_ZH

# Something found in what was eaten or drunk: 汤里捞出一根头发, 面包里咬到一枚订书钉.
_FOUND: Final = (
    "吃出|吃到|咬到|嚼到|嚼出|喝出|喝到|捞出|挑出|吐出|混着|夹着|泡着|浮着|飘着|"
    "菜里|饭里|汤里|面里|粥里|馅里|碗里|杯里|盒里|汉堡|包子|饺子|面包|蛋糕|奶茶|咖啡|披萨|"
    "外卖|米饭|盘子|餐盒|饮料|果汁|酸奶|零食|奶粉"
)
# Food that was eaten or served (长毛了 of bread, not of a carpet).
_FOOD: Final = (
    "菜|肉|饭|汤|鱼|虾|蟹|蛋|奶|食|吃|喝|外卖|鸡|鸭|牛|猪|排|串|馅|面|粥|饼|酱|包子|饺子|"
    "面包|蛋糕|饮料|果汁|咖啡|茶|零食|三明治|寿司|汉堡|披萨"
)
# Cooked food served raw: 鸡排是生的, 饺子没煮熟 (unripe fruit, 没熟的苹果, is no hazard).
_COOKED: Final = (
    "肉|鸡|鸭|牛|猪|排|串|馅|虾|蛋|鱼|饺|包子|汉堡|米饭|饭|面条|炸|煮|烤|蒸|煎|炒|涮|火锅"
)
# The skin itself (a red dot on a screen or a garment is not a rash).
_SKIN: Final = (
    "皮肤|脸|身上|全身|嘴|唇|眼|脖子|背|腿|胳膊|手臂|手背|脚背|额头|宝宝|孩子|长出|长了|起了|"
    "痒|过敏|疹|涂|抹"
)
# A crowd of customers, named: the core of both group contexts below.
_CROWD: Final = (
    "顾客们|家长们|学员们|会员们|客户们|上百|几百|一百多|二十几|好几个|好几家|很多人|好多人|"
    "一堆人|一群|一大批|群里|纷纷|集体|全班|全校|全园|全场|堵在"
)
# Many customers at once (几百个会员都要退卡), or the whole of a group (全班家长).
_MANY: Final = f"{_CROWD}|宾客|大家|几十|一班|一起|全年级"
# A dispute lodged through the bank or the payment app: 向银行发起争议交易.
_BANK: Final = "银行|信用卡|发卡行|支付宝|微信支付|卡中心|已经|已|发起|提交|申请"
# What makes a newspaper or a programme a threat or a report rather than a mention: the press
# reached, or the story handed over, about to be, or on air.
_PRESS_ACTION: Final = f"{PRESS_REACHED_ZH}|打了|报料|给了|交给|投诉|播|已|明天|准备"

# Found in a dish named by the customer (凉皮里有根头发, 鸡蛋灌饼里有半片指甲), or while eating.
_IN_DISH: Final = (
    f"{_FOUND}|(?:{_FOOD}|皮|团|卷|粉|丸|饺|馍|串|锅)里(?:面)?(?:有|还有|竟然有|居然有|发现)|"
    "吃了?[^，。！？]{0,4}发现|咬下去|咬开|嚼着|咽|吞"
)
# A body that was hurt (牙龈扎破了), not a lie seen through (戳破谎言) or a screen.
_BODY_ZH: Final = (
    "手|脚|腿|胳膊|手臂|手指|手心|指关节|脸|额头|眉|嘴|唇|牙龈|上颚|舌|眼|鼻|头|背|腰|膝|"
    "皮|血|孩子|宝宝|儿子|女儿|小孩|我妈|我爸|老人"
)
# A report to an authority, not its name in an address (市场局对面).
_REPORTED: Final = (
    "反映|投诉|举报|报给|报了|打了|打给|找|写信|联系|报告|告到|上报|来查|抽检|查|已经"
)
# Where a complaint spreads: a post, a clip, a group (在转让 is a shop for sale).
_SPREAD_PLACE: Final = "视频|帖子|截图|朋友圈|群|微博|抖音|网上|评论|文章|小红书|知乎|链接"

# A group of customers said outright: the short refund words (来退, 退费) need more than
# 大家, which a review uses to address its readers (不建议大家买), or 几十 (几十块钱).
_GROUP: Final = f"{_CROWD}|大家都|大家一起|几十[个位名人家户]|都在|联名|排队"
# Pests where they harm: in the food, in the bed, biting.
_PESTS_WHERE: Final = f"{_IN_DISH}|床|被子|枕|房间|卫生间|浴室|咬|叮|爬满|爬来爬去"

NEEDS_CONTEXT: Final[dict[str, str]] = {
    **dict.fromkeys(("牙签", "线头", "碎瓷片", "沙子"), _IN_DISH),
    **dict.fromkeys(("戳破", "扎破", "划了道口子", "划了一道口子", "划了个口子", "划了个大口子",
                     "割了道口子", "割了个口子"), _BODY_ZH),
    "燎了": "火|烧|手|头发|眉毛|脸",
    "起了个包": "磕|摔|撞|砸|头|后脑|额头",
    **dict.fromkeys(("起疙瘩", "疱疹"), _SKIN),
    **dict.fromkeys((*VOMITING_ZH, "肠炎", "胃绞", "胃痉挛"), _FOOD),
    **dict.fromkeys(("哈喇味", "絮状物"), _FOOD),
    **dict.fromkeys(("蚂蚁", "蜗牛", "甲虫", "飞蛾", "小虫", "跳蚤"), _PESTS_WHERE),
    **dict.fromkeys(("监管部门", "卫生部门", "卫生单位", "教育局", "市场局", "工商所", "监管局"),
                    _REPORTED),
    "调解": "法院|律师|派出所|起诉|诉讼|判",
    # emotional damages claimed (要求赔偿精神损失), not suffered and described (遭受了精神损失)
    "精神损失": "赔|索|要求|费|告|起诉|律师|法院",
    "追究": "法律|律师|起诉|民事|刑事",
    **dict.fromkeys(GROUP_REFUND_ZH, _GROUP),
    **dict.fromkeys(("争议款项", "提出异议", "争议退款", "发起退单"), _BANK),
    **dict.fromkeys(("都在转", "都在传", "在转"), _SPREAD_PLACE),
    **dict.fromkeys(("所有平台", "各个平台", "各大平台"), "发|曝光|贴|挂|写"),
    "都看到": "让|希望|要让",
    **dict.fromkeys(
        ("头发", "毛发", "金属丝", "金属片", "订书钉", "订书针", "橡皮筋", "绳子", "针头",
         "铁屑", "抹布"),
        _IN_DISH,
    ),
    **dict.fromkeys(
        ("霉点", "霉斑", "长毛了", "发绿", "过期了", "已经过期", "过期的", "肚痛"),
        _FOOD,
    ),
    **dict.fromkeys(("没熟", "没煮熟", "没炸熟", "没烤熟", "夹生", "是生的"), _COOKED),
    **dict.fromkeys(("红点", "红肿", "肿起来", "疹子"), _SKIN),
    # a fracture, not 骨折价 (a price slashed)
    "骨折": "腿|手|脚|臂|腕|踝|肋|尾椎|摔|滑|砸|绊|医院|石膏",
    # a spark from a socket or a charger, not 思想的火花
    "火花": "插|电|充|线|座|机|灯|冒|打出|烧",
    **dict.fromkeys(
        ("退卡", "退会员卡", "退余额", "退餐费", "退伙食费", "退票", "退团购", "要退钱", "退钱",
         "讨钱", "追讨", "要退款"),
        _MANY,
    ),
    **dict.fromkeys(("争议交易", "交易争议", "止付", "追回款项"), _BANK),
    **dict.fromkeys(
        ("晚报", "都市报", "传媒", "报馆", "新闻台", "本地新闻", "栏目组", "民生栏目", "帮忙栏目",
         "新闻客户端", "读者热线", "报纸"),
        _PRESS_ACTION,
    ),
}  # fmt: skip

EXCLUDE: Final[dict[CrisisCategory, tuple[str, ...]]] = {
    # Compensation for one order asked about (能索赔吗, 怎么索赔, 申请索赔), or claimed from the
    # customer (酒店索赔我315元): everyday service work, as one order's refund is.
    "legal": (
        "(?:能|怎么样?|怎样|如何|可以|申请)索赔|索赔(?:吗|么|嘛|售后)|索赔我",
        # a rhetorical question about one order (我精神损失费谁赔)
        "损失费?谁(?:来)?赔",
        # the police and a theft from the guest: a crime by somebody else, not the customer
        # taking the business to court (派出所已经立案，店家还在推脱 still counts)
        "(?:被盗|失窃|被偷|小偷|偷窃|盗窃)[^。！？!?]{0,30}立案|立案[^。！？!?]{0,8}(?:小偷|偷窃|失窃|被盗)|"
        "(?:证据不足|很难|无法|不予)立案",
    ),
    # A fall feared or narrowly missed (一个不留神就会滑倒, 担心会摔倒, 差点摔倒): a wet floor is
    # a complaint about upkeep until somebody falls.
    "safety": (
        "(?:会|容易|担心|怕|差点|差一点|险些|小心|以免|防止|避免|可能)"
        "[^，,。.！!？?；;\\n]{0,4}(?:滑倒|摔倒|绊倒|摔下来|摔了一跤|滑了一跤)",
        # goosebumps, not a rash (起鸡皮疙瘩); a rant, not vomiting (开始吐槽)
        "鸡皮疙瘩",
        "吐槽",
    ),
}

# Symptoms come a clause or two after the meal (盖浇饭的肉吃起来酸酸的……结果回来就吐了), and a
# group names itself at the start (几十个家长今天去……要求把预交的伙食费全退了).
CONTEXT_REACH: Final[dict[str, int]] = dict.fromkeys(("吐了", *VOMITING_ZH, *GROUP_REFUND_ZH), 30)
