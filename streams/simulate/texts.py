"""Chinese text banks for simulated events.

The banks are split by sentiment so that the text always agrees with the number next to it (a
rating of 1 never says "味道不错"). Baseline texts deliberately avoid the crisis terms and the taboo
phrases from domain.md: those only appear when a scenario injects them, so a detector downstream
that fires on baseline traffic is a real false positive, not noise we planted.
"""

from __future__ import annotations

from typing import Final

from streams.core.text.terms import TABOO  # the product's list (domain.md) is the source

# Crisis triggers named in domain.md ("Typical triggers in complaints and reviews").
CRISIS_TERMS: Final = (
    "曝光",
    "媒体",
    "记者",
    "12315",
    "消协",
    "市场监管",
    "律师",
    "起诉",
    "食物中毒",
    "受伤",
    "过敏",
    "安全隐患",
)

# 服务的禁言 from domain.md, one entry per phrase; the "……" continuations and the "/" variants
# are split so that a plain substring test finds each of them.
TABOO_PHRASES: Final = tuple(
    alt.rstrip("…").strip() for phrase in TABOO for alt in phrase.split(" / ")
)

# What the taboo scenario makes the agent say: full sentences built around a taboo phrase.
TABOO_AGENT_LINES: Final = (
    "这是公司的规定,我也没办法。",
    "你爱告哪儿告哪儿,我们就是这么处理的。",
    "我不知道,这不关我的事。",
    "你弄错了吧,以前从来没有人抱怨过这些。",
    "没看我正忙着吗?一个一个来。",
    "一分价钱一分货,这个价位就是这样。",
)

FEEDBACK_POSITIVE: Final = (
    "服务很热情,菜上得也快",
    "环境干净,味道不错",
    "店员很耐心,下次还来",
    "性价比高,推荐朋友来",
    "上菜速度快,服务周到",
    "味道正宗,分量很足",
    "服务员主动帮忙带孩子座椅,很贴心",
    "会员积分当场就到账了,方便",
)
FEEDBACK_NEUTRAL: Final = (
    "还行吧,中规中矩",
    "味道一般,等位有点久",
    "价格稍贵,其他还好",
    "人太多了,有点吵",
    "菜品还可以,服务一般",
)
FEEDBACK_NEGATIVE: Final = (
    "等了四十分钟还没上菜",
    "服务员态度很差,叫了好几次没人理",
    "菜是凉的,退菜还要看脸色",
    "结账多收了钱,解释也不清楚",
    "桌子很脏,半天没人收拾",
    "点的菜上错了,也没人道歉",
    "价格涨了分量却少了",
    "预约了还要排队一个小时,太失望",
)

REVIEW_POSITIVE: Final = (
    "第二次来了,招牌菜依旧好吃,服务员小姐姐很热情。",
    "环境不错适合聚餐,上菜快,性价比挺高。",
    "带爸妈来吃的,店员主动送了长寿面,很暖心。",
    "味道在线,分量足,排队也不算久,推荐。",
)
REVIEW_NEUTRAL: Final = (
    "味道中规中矩,周末人多要等位。",
    "环境还行,价格偏贵一点,服务一般。",
    "口味有点咸,其他都还可以。",
)
REVIEW_NEGATIVE: Final = (
    "排队一个多小时,进去以后上菜又慢,体验很差。",
    "服务员全程黑脸,加水都要喊三遍,不会再来了。",
    "菜量明显变少了,价格还涨了,失望。",
    "点的菜上错两次,最后还多收了钱,差评。",
)
# Every crisis review contains at least one of CRISIS_TERMS (the crisis test relies on it).
REVIEW_CRISIS: Final = (
    "昨天在这家店吃完全家上吐下泻,怀疑食物中毒,已经打了12315投诉!",
    "菜里吃出异物,孩子过敏送医,准备找律师起诉。",
    "服务员推搡顾客导致老人受伤,我已经联系记者准备曝光。",
    "后厨卫生太差有安全隐患,已向市场监管部门举报。",
    "朋友也在这里食物中毒了,大家千万别去,求媒体曝光!",
    "要求退款被拒,已经向消协投诉,坐等结果,必要时起诉。",
)

# Complaint categories weighted by domain.md "Why customers leave": 68% poor service (split here
# between attitude and waiting), 14% product quality, 9% price, the rest environment/hygiene.
COMPLAINT_CATEGORIES: Final = (
    ("服务态度", 0.48),
    ("等待时间", 0.20),
    ("产品质量", 0.14),
    ("价格", 0.09),
    ("环境卫生", 0.09),
)
COMPLAINT_OPEN_TEXT: Final = {
    "服务态度": ("服务员态度恶劣,要求店长道歉。", "多次呼叫无人响应,体验很差,请给个说法。"),
    "等待时间": ("预约了还等位两个小时,预约形同虚设。", "上菜等了一个小时,催了也没用。"),
    "产品质量": ("菜品有异味,要求退款。", "食材不新鲜,吃完胃不舒服。"),
    "价格": ("结账金额与菜单不符,多收费。", "优惠券无法使用,店员也说不清楚。"),
    "环境卫生": ("餐具不干净,桌面油腻。", "洗手间很脏,没人打扫。"),
    "食品安全": ("吃完后全家腹泻,怀疑食物中毒。",),
}
COMPLAINT_STEP_TEXT: Final = {
    "agent_replied": (
        "非常抱歉给您带来不好的体验,我们已记录并转交门店处理,今天内给您答复。",
        "您好,已收到您的反馈,门店经理会尽快与您联系。",
    ),
    "customer_replied": ("我要的是解决方案,不只是道歉。", "好的,请尽快处理。"),
    "pending": ("已联系门店核实情况,等待门店反馈。",),
    "resumed": ("门店已反馈,继续跟进处理。",),
    "escalated": ("已升级至区域经理处理。",),
    "resolved": ("已为您办理退款并赠送代金券,感谢您的理解。", "门店已当面致歉并免单处理。"),
    "reopened": ("问题没有解决,今天又发生了同样的情况。",),
    "follow_up_done": ("回访:顾客表示对处理结果满意。", "回访:顾客接受处理方案。"),
    "closed": ("工单关闭。",),
}
MEDIA_COMPLAINT_TEXT: Final = (
    "我是都市报记者,贵店涉嫌食品安全问题,多名顾客反映食物中毒,请尽快正式回应。"
)

# Call transcripts: (customer opening, agent lines...). Agent lines are checked against
# TABOO_PHRASES by the tests; keep them polite.
CALL_TOPICS: Final = (
    (
        "你好,我想订明天晚上六点的位子,四个人。",
        ("您好,很高兴为您服务。", "好的,已为您预留明天十八点四人桌,请准时到店。"),
    ),
    (
        "我的会员积分怎么没到账?",
        ("您好,请提供一下会员手机号。", "已帮您补录积分,预计十分钟内到账。"),
    ),
    (
        "外卖送了一个半小时还没到。",
        ("非常抱歉让您久等了,我马上联系骑手。", "已为您催单,并补偿一张五元代金券。"),
    ),
    (
        "上次吃饭的发票还没开,能补开吗?",
        ("可以的,请提供抬头和税号。", "电子发票已发送到您的邮箱,请注意查收。"),
    ),
    (
        "昨天服务员态度很差,我要投诉。",
        ("非常抱歉给您带来不好的体验,我先记录下来。", "已转交门店经理,今天内给您回电。"),
    ),
    (
        "退款申请提交三天了还没处理。",
        ("抱歉让您久等,我帮您查询一下。", "退款已加急处理,一到三个工作日原路退回。"),
    ),
)
CALL_CUSTOMER_FOLLOW: Final = ("好的,谢谢。", "那麻烦尽快。", "行,我等你们消息。")
CALL_AGENT_CLOSE: Final = "感谢您的来电,祝您生活愉快。"
TABOO_CUSTOMER_LINES: Final = (
    "我都打了三次电话了,你们到底管不管?",
    "你们门店把我的订单弄丢了,必须给我个说法!",
    "我要投诉你们,这种服务太差了!",
)

REVIEW_PLATFORMS: Final = (("大众点评", 0.40), ("美团", 0.30), ("小红书", 0.15), ("微博", 0.15))
PLATFORM_HOSTS: Final = {
    "大众点评": "dianping",
    "美团": "meituan",
    "小红书": "xiaohongshu",
    "微博": "weibo",
}
