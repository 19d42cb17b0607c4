"""The default context rules of the lexicons, as data (the matching is in ``context.py``).

A lexicon term is evidence only in context. Four kinds of rule, each a class of wrong hit seen
on real reviews rather than a list of the texts it was seen in:

- **negation**: a cue in the same clause before the term (没看到蟑螂, 无异味, "no rats");
  pseudo-negations that only look like one (没想到, 不仅, "no wonder") are matched first;
- **exclusions** per category: a regular expression whose match covers the hit drops it
  (figurative and idiomatic use: 心情受伤, 人都要发霉了, 多媒体, "rat race", "Windows Media");
- **context**: terms whose crisis meaning needs a food or body context nearby (中毒 means
  "hooked" in 听得中毒了; 异味 in a hotel room or a new tablet is not spoiled food);
- **names**: English terms that, capitalised, are a name ("Sue was our server").

The taboo detector has one rule: a refusal phrase followed by a commitment is an apology
(我们不会再让这种情况发生 is not the taboo phrase 我们不会).
"""

from __future__ import annotations

from typing import Final

from streams.core.text.config import CrisisCategory

# --- negation ---------------------------------------------------------------------------------

# Where a clause ends: scope never crosses these (但/可是/结果 start a new claim).
ZH_CLAUSE: Final = r"[，,。.！!？?；;：:\n～~…]|但是|但|可是|然而|不过|结果"
# Cues that negate the term when the clause holds no breaker between cue and term.
ZH_CUES: Final = (
    "没有", "没", "不是", "不会", "不曾", "从没", "从未", "并没", "毫无", "绝无", "杜绝",
    "不存在", "不见", "并无",
)  # fmt: skip
# Single characters that negate only what follows within two characters (无异味, 不过敏, 无任何
# 异味); further away they mostly negate an adjective (不干净，有蟑螂 / 不新鲜的虫子).
ZH_SHORT_CUES: Final = ("不", "无", "未", "别")
# Look like a cue and are not one; matched before the cues.
ZH_PSEUDO: Final = (
    "没想到", "没多久", "没几", "没过", "没一会", "没法", "没办法", "没完", "没错", "没得说",
    "没有之一", "有没有", "是不是", "会不会", "不是一般", "不仅", "不但", "不止", "不光",
    "不久", "不到", "不停", "不断", "不少", "不得不", "不知", "不好意思", "不一会", "不料",
    "不小心", "不行", "不然", "不禁", "不管", "不舒服", "无语", "无论", "无比", "无法", "无数",
    "无奈", "无良", "无耻", "无缘无故", "无意", "无聊", "未免", "未来", "未成年", "特别",
    "区别", "分别", "级别", "类别", "告别", "性别", "识别", "差别", "别的", "别家", "别人",
    "别说", "别提", "别处",
)  # fmt: skip
# Between a cue and the term these restart an affirmative claim (没吃完就发霉了).
ZH_BREAKERS: Final = r"就|才|却|竟|居然|又|然后|后来|导致|害得|害我|让|使|把|被|还是|反而|有"
# Words before the term that may hold the cue (no, not, never ... five words back at most).
EN_WINDOW: Final = 5
EN_CLAUSE: Final = r"[,.;:!?\n]|\b(?:but|then|until|later|yet|so|because|however|after)\b"
EN_CUES: Final = r"\b(?:no|not|never|without|none|nor|zero|cannot|\w+n't|free of|free from)\b"
EN_PSEUDO: Final = (
    r"\bnot only\b|\bno wonder\b|\bnot long\b|\b(?:could|can|did|wouldn)'?n't stop\b"
    r"|\bcannot stop\b|\bnot sure\b|\bno idea\b|\bno doubt\b|\bno joke\b|\bnot to mention\b"
    r"|\bnever been so\b"
)

# --- exclusions: a match covering the hit drops it ---------------------------------------------

_NOT_CLAUSE_END: Final = "[^，,。.！!？?；;\n]"
EXCLUDE: Final[dict[CrisisCategory, tuple[str, ...]]] = {
    "media": (
        "多媒体|流媒体|融媒体|媒体播放|媒体键|媒体中心",
        # a camera's exposure, not a newspaper's
        "曝光(?:不足|过度|补偿|时间|度|模式|参数|准确|控制|锁定|值)|(?:自动|手动|长|测光|多重)曝光",
        r"\bwindows media\b|\bmedia (?:room|player|center|centre|wall|console|server|library"
        r"|files?|cards?|kit|studies|lounge|cabinet|stick|box)\b|\bmixed media\b",
        r"\bexposed (?:brick|beams?|wiring|ceilings?|pipes|concrete|stone|ducts?)\b",
        r"\b(?:over|under|sun)-?exposed\b",
    ),
    "regulator": (),
    "legal": ("法院(?:旁|附近|对面|边上|路|街|站)",),
    "safety": (
        # hooked, not poisoned: 听得中毒, 玩游戏玩中毒了, 中毒性的旋律
        f"(?:听|看|玩|读|刷|追|唱|逛|买|剁手){_NOT_CLAUSE_END}{{0,6}}中毒|中毒(?:性|般的|了一样)",
        # hurt feelings, a hurt wallet
        f"(?:心|心情|心灵|感情|自尊|情感|小心脏|内心|钱包|玻璃心){_NOT_CLAUSE_END}{{0,3}}受伤",
        # hyperbole: 人都要发霉了, 价格我都要过敏了, 难吃得我都快吐了
        "都(?:要|快|快要)(?:发霉|过敏|中毒|吐了|想吐)",
        f"(?:价格|价钱|这价|涨价|广告|客服|态度|推销){_NOT_CLAUSE_END}{{0,6}}过敏",
        f"(?:人|我|整个人|心|脑子|生活|日子){_NOT_CLAUSE_END}{{0,2}}(?:快|要|都)"
        f"{_NOT_CLAUSE_END}{{0,2}}发霉",
        f"(?:感情|关系|友情|爱情|性质|初心|味道都){_NOT_CLAUSE_END}{{0,3}}变质",
        f"(?:看|听|读|气|笑)(?:得|的)?{_NOT_CLAUSE_END}{{0,3}}吐了|吐了(?:一?口气|舌头|槽)",
        "苍蝇馆|苍蝇小馆|米老鼠|老鼠爱大米|书虫|懒虫|瞌睡虫",
        # a smell in a room, a device or packaging is not spoiled food
        f"(?:房间|卫生间|厕所|洗手间|浴室|空调|被子|被褥|床单|毛巾|地毯|床|楼道|电梯|下水道|鞋|"
        f"衣服|包装|塑料|箱子|机器|机身|电脑|屏幕|车|屋|客房|走廊){_NOT_CLAUSE_END}{{0,6}}"
        f"(?:异味|臭味|发臭|臭了)",
        r"\brat race\b|\b(?:lab|gym|mall|pack|rug|desert|water|mole|dirty|love|mall) rats?\b",
        r"\bsmell(?:s|ed|ing)? a rat\b|\brat(?:s|ted|ting)? (?:\w+ )?out\b|^rats\b",
        r"\binjury time\b|\bpoisoned (?:chalice|atmosphere|relationship)\b",
    ),
    "refund": (),
    "viral": (
        "转发(?:抽奖|有奖|集赞)|(?:无线|信号)转发|避雷针|避雷器",
        f"(?:香|味|气味|香味|药效|热量){_NOT_CLAUSE_END}{{0,3}}扩散",
        r"\bshare this (?:dish|plate|meal|platter|pizza|with)\b|\bviral (?:infection|load)\b",
    ),
}

# --- terms that need a food or body context within CONTEXT_WINDOW characters -----------------

CONTEXT_WINDOW: Final = 20
_FOOD_OR_BODY: Final = (
    "吃|喝|食|饭|菜|肉|汤|外卖|送医|医院|急诊|呕|吐|拉|腹|肚|胃|煤气|一氧化碳|甲醛|农药|"
    "孩子|宝宝|老人|全家|身体|发烧"
)
_SKIN: Final = (
    "吃|喝|食|用|皮肤|脸|身上|起|红|痒|疹|包|头皮|孩子|宝宝|海鲜|花生|芒果|药|医院|鼻|嘴|喉"
)
_FOOD: Final = (
    "菜|肉|饭|汤|鱼|虾|蟹|蛋|奶|食|吃|喝|外卖|鸡|鸭|水果|米|面|饮料|果|包子|饺子|粥|饼|"
    "酱|料|送来|打开"
)
_EATING: Final = "吃|喝|食|菜|饭|肉|外卖|肚子|胃|拉|晚上|半夜|孩子|宝宝|中毒|过敏|腹泻|呕|难受"
_BODY: Final = "手|脚|腿|嘴|舌|皮肤|孩子|宝宝|手指|口腔|喉咙|脸|胳膊|流血|出血|伤口"
NEEDS_CONTEXT: Final[dict[str, str]] = {
    "中毒": _FOOD_OR_BODY,
    "过敏": _SKIN,
    "异味": _FOOD,
    "臭味": _FOOD,
    "发臭": _FOOD,
    "臭了": _FOOD,
    "吐了": _EATING,
    "想吐": _EATING,
    "看医生": _EATING,
    "挂水": _EATING,
    "输液": _EATING,
    "住院": _EATING,
    "急诊": _EATING,
    "去医院": _EATING,
    "划伤": _BODY,
}

# English terms that are also names: capitalised ("Sue", not "sue" or "SUE") they are a name.
NAMES: Final = frozenset({"sue"})

# --- taboo: a refusal followed by a commitment is an apology ----------------------------------

# Read right after the taboo phrase: 我们不会|再让这种情况发生, 我们不可能|让您白跑一趟,
# 您应该|得到更好的服务. Keyed by the taboo alternative as written in terms.TABOO.
_COMMITMENT: Final = (
    r"[，, ]?(?:再|让(?:您|你|这种|这样|类似|此类|同样|大家)|推卸|不管|不理|敷衍|忽视|辜负|放任|"
    r"坐视|不负责|逃避|置之不理|姑息|容忍|包庇|隐瞒|不处理|忘记)"
)
TABOO_EXCEPT_AFTER: Final[dict[str, str]] = {
    "我们不会": _COMMITMENT,
    "我们不可能": _COMMITMENT,
    "我们从没": r"[，, ]?(?:想过?(?:推卸|逃避|敷衍|不管)|推卸|逃避|敷衍)",
    "你应该": r"[，, ]?(?:得到|获得|享受|享有|受到)",
}
