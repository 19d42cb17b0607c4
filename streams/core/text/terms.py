"""The default lexicons, as data: crisis triggers and the staff taboo phrases (服务禁言).

Crisis categories follow domain.md ("Typical triggers in complaints and reviews"). A category's
weight says how strongly one hit alone suggests a complaint may turn into a crisis (0..1):
health and safety, regulators and lawyers first; viral-spread and refund wording is weaker
evidence on its own. Terms were chosen for restaurant reviews and complaints, and a few obvious
ones are left out on purpose because they fire on ordinary text:

- 工商 alone matches 工商银行 (a bank, named in payment complaints): 工商局 / 工商部门 instead;
- 退款 / 退钱 / "full refund" for one order is an everyday request: only many customers at once
  (集体退款, 组团退款, ...) or a bank dispute (拒付, chargeback);
- 医院 alone matches addresses (医院旁边): 送医, 住院, 急诊, 去医院 instead;
- 过期 alone matches expired coupons: 过期食品, 过期食材;
- English "sick" alone ("sick of waiting"): got sick, made me sick, ...

English terms match whole words only ("sue" does not match "issue"), so inflections are listed.
"""

from __future__ import annotations

from typing import Final

from streams.core.text.config import CrisisCategory
from streams.core.text.terms_en import TERMS as TERMS_EN

# Terms that count only in a context, which rules_worded.py gives them by these names: the
# short refund words only beside a group of customers, vomiting counted only beside a meal.
GROUP_REFUND_ZH: Final = (
    "退还", "退订", "退全款", "退预付款", "退储值", "退费", "要求退", "都要退", "来退",
)  # fmt: skip
VOMITING_ZH: Final = ("开始吐", "一直吐", "吐了两次", "吐了三次", "吐了好几次", "吐了一晚上")

_NAMED: Final[dict[CrisisCategory, tuple[float, tuple[str, ...]]]] = {
    "media": (
        0.8,
        (
            "曝光", "记者", "媒体", "自媒体", "热搜", "上新闻", "电视台", "央视", "报社",
            "被曝", "负面新闻", "负面报道", "丑闻",
            "新闻热线", "爆料", "报料", "接受了采访", "接受采访", "新闻里见", "上电视", "电视上见",
            "晚报", "都市报", "传媒", "报馆", "新闻台", "本地新闻", "栏目组", "民生栏目",
            "帮忙栏目", "新闻客户端", "读者热线", "报纸",
            "315晚会", "3·15晚会",
            # the press reached, in the customer's words (rules_worded.NEEDS_CONTEXT)
            "新闻爆料", "爆料邮箱", "爆料热线", "电视台热线", "捅到媒体", "找媒体", "联系媒体",
            "journalist", "journalists", "reporter", "reporters", "media", "the press",
            "newspaper", "tv station", "expose", "exposed", "go public", "going public",
        ),
    ),
    "regulator": (
        0.9,
        (
            "12315", "12345热线", "消协", "消费者协会", "市场监管", "市监局", "工商局", "工商部门",
            "食药监", "卫生监督", "卫健委", "举报", "卫生署", "卫生局", "食环署", "消费者委员会",
            "旅游局", "文旅局", "质监局", "物价局",
            "消委会", "市场监督管理", "消基会", "消保官",
            # agencies as customers name them; the ones that are also mentions need a report
            # near them (rules_worded.NEEDS_CONTEXT)
            "监管部门", "卫生部门", "卫生单位", "教育局", "食品安全投诉", "食安办", "食品安全办",
            "市场局", "工商所", "找工商", "监管局",
            "consumer association", "consumer council", "consumer protection",
            "health department", "health inspector", "health inspection", "trading standards",
            "food safety authority", "better business bureau", "report you to",
        ),
    ),
    "legal": (
        0.9,
        (
            "律师", "律师函", "起诉", "法院", "诉讼", "打官司", "告你们", "法律途径", "十倍赔偿",
            "退一赔三", "索赔", "立案", "上法院", "告上法庭",
            "法庭上见", "法庭见", "法律上见", "开庭", "诉状", "传票", "一审", "判决", "上诉",
            "法律程序", "司法程序", "法律责任", "法律手段", "损害赔偿", "精神损失", "法务",
            "律师信", "退一赔十", "三倍赔偿", "双倍赔偿",
            "告到底", "法院判", "调解", "追究", "民事赔偿", "双倍返还",
            "lawyer", "lawyers", "attorney", "lawsuit", "sue", "sued", "suing", "legal action",
            "small claims", "take you to court",
        ),
    ),
    "safety": (
        1.0,
        (
            "食物中毒", "中毒", "受伤", "过敏", "安全隐患", "拉肚子", "腹泻", "呕吐", "上吐下泻",
            "异物", "虫子", "蟑螂", "老鼠", "苍蝇", "玻璃渣", "钢丝球", "变质", "发霉", "馊了",
            "过期食品", "过期食材", "烫伤", "划伤", "送医", "住院", "急诊", "去医院",
            # How customers word it: "illness" is rarely said, the symptom is.
            "闹肚子", "肚子疼", "肚子痛", "拉稀", "胃疼", "胃痛", "肠胃炎", "吃坏肚子", "吃坏了",
            "跑厕所", "上吐", "吐了", "想吐", "异味", "臭了", "发臭", "臭味",
            "酸臭", "馊味", "吃出头发", "吃出虫", "看医生", "挂水", "输液", "烂了", "烂掉",
            "腐烂", "上霉", "瘙痒", "起疹子", "红疹", "起红疙瘩", "头皮痒", "失火", "起火",
            "火灾", "触电", "漏电",
            "虫卵", "青虫", "活虫", "小强", "发馊", "馊的", "流血", "出血",
            "缝针", "烫红", "烫起泡", "爆燃",
            # what happened, in the customer's words (contexts in rules_worded.py)
            "窜稀", "跑肚", "拉了一晚", "拉了一夜", "拉了一整", "拉了一宿", "拉了一天", "拉了两天",
            "拉了三天", "拉了好几次", "拉了好几趟", "都拉了", "全拉了", "拉到虚脱", "拉到脱水",
            "吐了一晚", "吐了一夜", "吐得", "诺如", "肚屙", "肚痛", "食物不洁",
            "蛆", "臭虫", "飞虫", "小飞虫", "小黑虫", "小白虫", "胀袋",
            "头发", "毛发", "金属丝", "金属片", "订书钉", "订书针", "橡皮筋", "绳子", "针头",
            "铁屑", "抹布",
            "没熟", "没煮熟", "没炸熟", "没烤熟", "夹生", "是生的", "霉点", "霉斑", "长毛了",
            "发绿", "过期了", "已经过期", "过期的",
            "冒烟", "火花", "着火了", "烧黑", "煤气味", "燃气味", "漏气", "煤气泄漏", "燃气泄漏",
            "被电了", "电了一下",
            "滑倒", "摔倒", "绊倒", "摔下来", "磕破", "擦破", "划破", "割破", "扭伤", "砸到",
            "砸伤", "夹伤", "撞伤", "骨折", "起了水泡", "起水泡", "一片水泡",
            "红点", "红肿", "肿起来", "疹子", "烂脸",
            # found in the food: a hit only beside eating words (rules.NEEDS_CONTEXT)
            "塑料", "创可贴", "烟头", "碎玻璃", "铁丝", "钢丝", "指甲", "钉子", "刀片", "铁片",
            "石子",
            # hurt, sick, found or spoiled, in the customer's words (rules_worded.NEEDS_CONTEXT)
            "戳破", "扎破", "划了道口子", "划了一道口子", "划了个口子", "划了个大口子",
            "割了道口子", "割了个口子", "血口子", "流了好多血", "流了不少血", "燎了",
            "崴了", "崴得", "摔了一跤", "滑了一跤", "磕了个包", "磕了个大包", "起了个包",
            "胃绞", "胃痉挛", "肠炎", "沙门氏菌", *VOMITING_ZH, "拉了两次", "拉了三次", "拉了两回",
            "跑了一晚上厕所", "蹲了一晚上马桶", "打了120", "叫了120", "120拉走", "荨麻疹",
            "疱疹", "起疙瘩", "起了一圈泡", "哈喇味", "絮状物", "蚂蚁",
            "蜗牛", "跳蚤", "甲虫", "飞蛾", "小虫", "牙签", "线头", "碎瓷片", "沙子",
            "food poisoning", "poisoned", "injured", "injury", "allergic", "allergic reaction",
            "anaphylaxis", "got sick", "made me sick", "made us sick", "vomiting", "threw up",
            "diarrhea", "diarrhoea", "emergency room", "hospitalized", "hospitalised",
            "stomach ache", "stomachache", "upset stomach", "sick all night", "throwing up",
            "moldy", "mouldy", "undercooked chicken", "raw chicken", "hair in my", "bug in my",
            "worm in my", "hair in the food",
            "foreign object", "cockroach", "cockroaches", "rat", "rats", "glass in",
        ),
    ),
    "refund": (
        0.5,
        (
            # Many customers at once, or a bank dispute: one order's refund (退钱, 退款,
            # 全额退款, "full refund") is everyday service work, not a crisis.
            "集体退款", "集体退货", "集体退钱", "组团退款", "批量退款", "大家一起退款", "集体维权",
            "维权群", "拒付", "组团维权", "集体投诉", "信用卡申诉", "都在退款", "一起退款",
            "一起申请退款", "都在申请退款",
            # a hit only beside many customers (rules.NEEDS_CONTEXT)
            "要求退款", "申请退款", "找店家退款", "要求退钱", "要求退费", "退学费", "退定金",
            "退回定金",
            # what many customers do about their money, in their words (rules_worded.py)
            "退卡", "退会员卡", "退余额", "退餐费", "退伙食费", "退票", "退团购", "要退钱", "退钱",
            "讨钱", "追讨", "要退款", "争议交易", "交易争议", "止付", "追回款项",
            # many customers and their money, in their words (rules_worded.NEEDS_CONTEXT)
            *GROUP_REFUND_ZH,
            "争议款项", "提出异议", "冻结这笔交易", "争议退款", "发起退单",
            "mass refund", "refund everyone", "chargeback", "charge back", "class action",
        ),
    ),
    "viral": (
        0.6,
        (
            "转发", "转发微博", "扩散", "求扩散", "发微博", "发抖音", "发朋友圈", "发到网上",
            "避雷", "发了抖音", "发了微博", "发了朋友圈",
            "帮忙转", "帮我转", "转起来", "多转", "转一下", "分享出去", "顶上去", "帮忙顶",
            "让更多人看到", "让更多人知道", "全网都知道", "全城都知道", "疯传", "传遍",
            "发长文", "发小红书", "发了小红书", "发到小红书",
            # spreading, in the customer's words (rules_worded.NEEDS_CONTEXT)
            "都在转", "都在传", "在转", "转疯了", "所有平台", "各个平台", "各大平台", "帮我顶",
            "转个发", "写成帖子", "写成长文", "都看到",
            "viral", "going viral", "share this", "spread the word", "post it online",
        ),
    ),
}  # fmt: skip

# With the English words for what happened (terms_en.py) after each category's own.
CRISIS: Final[dict[CrisisCategory, tuple[float, tuple[str, ...]]]] = {
    category: (weight, terms + TERMS_EN.get(category, ()))
    for category, (weight, terms) in _NAMED.items()
}

# 服务的禁言, exactly as listed in docs/domain.md: " / " separates alternatives, and a
# trailing "……" means "followed by anything" (so 你应该…… matches 你应该).
TABOO: Final[tuple[str, ...]] = (
    "你好像不明白",
    "你肯定弄混了",
    "你应该……",
    "我们不会",
    "我们从没",
    "我们不可能",
    "你弄错了",
    "以前从来没有人抱怨过这些",
    "这是我们公司的规定 / 这是公司的规定",
    "我不知道",
    "这个问题不太清楚",
    "这不关我的事",
    "我们可不负责",
    "我们一直都是这样做的 / 我们一直都是这么卖的",
    "这是你的事,你自己做决定",
    "绝对不会,绝对不可能",
    "不可能,绝不可能发生这种事",
    "这种问题连三岁的小孩都懂",
    "一分价钱一分货",
    "这事儿没法办",
    "没看我正忙着吗?一个一个来",
    "别人觉得挺好呀",
    "你先听我解释",
    "你也有不对的地方",
    "你怎么这么讲话?",
    "你爱告哪儿告哪儿",
    "你去找消协吧",
)
