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
    "不存在", "不见", "并无", "未发现", "没发现", "未见", "未曾",
    # internet and dialect spellings of 没有 (木有一个坏的, 冇蟑螂)
    "木有", "冇",
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
# Right after the term, the end of its clause denies it (一个坏的都没有, 虫子没有，倒是…): the
# topic comes first and 没有 closes the clause. 没有 followed by more words (蟑螂没有人管) is not.
ZH_DENIED_AFTER: Final = (
    r"[的]?(?:都|也|全|可|根本|压根|一点)?(?:没有|没|木有|无)[了啊呀哦的]?"
    r"(?:[，,。.！!？?；;～~…\s]|$)"
)
# Between a cue and the term these restart an affirmative claim (没吃完就发霉了).
ZH_BREAKERS: Final = r"就|才|却|竟|居然|又|然后|后来|导致|害得|害我|让|使|把|被|还是|反而"
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
_FRUIT: Final = "水果|苹果|火龙果|橙|橘|桔|梨|桃|葡萄|瓜|莓|果子|果品|香蕉|芒果|猕猴桃|樱桃|柚"
_COUNT: Final = "[一二两三四五六七八九十几半\\d]+"
# A building's or a room's parts and furnishings (mould there is upkeep, not food).
_FIXTURE: Final = (
    "墙|墙面|墙壁|房顶|天花板|屋顶|墙角|床头|被子|被褥|被套|枕头|枕套|床单|床垫|床品|地毯|沙发|"
    "窗帘|空调|风机|浴室|卫生间|浴缸|瓷砖|设施|家具|柜子|衣柜|地板|门框|窗框"
)
# Things that break rather than spoil (lower case: exclusions read the lower-cased text).
_DEVICE: Final = (
    "电池|灯|灯泡|灯管|按键|键盘|插座|插头|接口|端口|插口|usb口?|零件|配件|屏幕|喇叭|轮子|扣子|纽扣|"
    "螺丝|开关|抽屉|硬盘|坏点|风扇|电视|遥控器?|水龙头|马桶|椅子|衣架|杯子|盘子|碗|镜头|音箱|耳机|"
    "平板|手机|电脑|笔记本|鼠标|主板|内存|光驱|网卡"
)
_REGULATOR: Final = (
    "旅游局|文旅局|工商局|工商部门|市场监管局|市场监管|市监局|卫生局|质监局|物价局|消协|食药监|"
    "卫生监督"
)
_INSTITUTION: Final = "电视台|报社|法院|市场监管局|市监局|工商局|消协|卫生局|律师事务所|派出所"
# An institution named as a landmark: 离电视台较近, 法院旁边, 市场监管局对面
_PLACE: Final = (
    f"(?:{_INSTITUTION}){_NOT_CLAUSE_END}{{0,8}}(?:旁边|旁|附近|对面|边上|隔壁|楼下|培训中心|路|"
    f"街|站|较近|很近|不远)|(?:离|靠近|紧邻|位于){_NOT_CLAUSE_END}{{0,10}}(?:{_INSTITUTION})"
)
EXCLUDE: Final[dict[CrisisCategory, tuple[str, ...]]] = {
    "media": (
        _PLACE,
        "多媒体|流媒体|融媒体|媒体播放|媒体键|媒体中心|媒体库",
        # a hotel room's TV channels, a product's TV advertising
        "电视台(?:也|都)?(?:比较|太|很|不)?(?:少|多|不多)|收不到[^，。]{0,6}电视台|"
        "央视[^，。！？]{0,8}广告|广告[^，。]{0,4}央视",
        # a camera's exposure, not a newspaper's
        "曝光(?:不足|过度|补偿|时间|度|模式|参数|准确|控制|锁定|值)|(?:自动|手动|长|测光|多重)曝光|"
        "曝光的?(?:照片|相片)",
        r"\bwindows media\b|\bmedia (?:room|player|center|centre|wall|console|server|library"
        r"|files?|cards?|kit|studies|lounge|cabinet|stick|box)\b|\bmixed media\b",
        r"\bexposed (?:brick|beams?|wiring|ceilings?|pipes|concrete|stone|ducts?)\b",
        # how well known a place is (曝光率低的小店), a programme it was seen on, and a press
        # visit imagined (如果有记者来采访)
        "曝光率|(?:电视台|央视)[^，。]{0,8}节目|"
        # coverage that brought customers (被媒体报道后客人太多)
        "(?:媒体|电视台|报纸|记者)的?(?:报道|采访|推荐)(?:过|后|之后|以后)?"
        "[^。！？!?]{0,8}(?:客人|顾客|人气|排队|火了|出名|限号|人太多)|"
        f"(?:如果|假如|要是|万一|哪天){_NOT_CLAUSE_END}{{0,6}}(?:记者|媒体|电视台)",
        r"\b(?:over|under|sun)-?exposed\b",
    ),
    "regulator": (
        _PLACE,
        # a web page's "reply | report" links scraped with the review
        r"回复[^，。]{0,30}\|\s*举报|\|\s*举报",
        # a rating or certificate on display is not an inspection called in
        r"\bhealth (?:inspection|inspector)(?:'s)? (?:certificate|rating|score|grade|sticker)s?\b"
        r"|\bpassed (?:the|its|their|a) health inspection\b",
        # a suggestion to the platform (最好开个举报专栏) is not a report
        f"(?:最好|建议|应该){_NOT_CLAUSE_END}{{0,6}}举报",
        # the tourism bureau awards hotels their stars: a rating named (怎么复查他们的级别,
        # 旅游局正式挂牌的酒店) is not a report to it, unless a complaint comes in between
        f"(?:旅游局|文旅局)(?:(?!投诉|举报|反映){_NOT_CLAUSE_END}){{0,14}}"
        "(?:星|评定|评选|评为|授予|认定|级别|评级|挂牌)|"
        f"(?:星级|评定|评选|评为|挂牌){_NOT_CLAUSE_END}{{0,10}}(?:旅游局|文旅局)",
        # an institution that runs the place (工商局办的招待所) is its owner, not a complaint's
        # recipient; the business's own dealings with one (我店已与旅游局联系) are no customer's
        f"(?:{_REGULATOR})(?:办的|开的|开办|下属|直属|旗下|所属)|"
        # a certificate, a model-shop award or a licence from one, a job or a friend there:
        # praise or a mention, not a complaint (门口贴着市场监管局的A级公示, 在卫生局上班)
        f"(?:{_REGULATOR}){_NOT_CLAUSE_END}{{0,14}}(?:公示|示范|明厨亮灶|评为|评的|诚信|合格证?|"
        "颁|放心|牌子|认证|营业执照|上班|工作过?|退休|朋友|推广)|"
        # no need to call it: the shop put it right (不用打12315那么麻烦)
        f"(?:不用|不必|无需|用不着)(?:打|找|去)?{_NOT_CLAUSE_END}{{0,2}}(?:12315|{_REGULATOR})|"
        f"(?:我店|本店|我酒店|本酒店|我们酒店|我司|本公司){_NOT_CLAUSE_END}{{0,10}}(?:{_REGULATOR})",
    ),
    # the business's own lawyer, consulted by staff, is not a customer's threat
    "legal": (
        _PLACE,
        f"(?:酒店|公司|店方|商家|我们|本店){_NOT_CLAUSE_END}{{0,2}}律师",
        # a trade (老板以前当过律师), other people's talk, praise as a mock threat
        "(?:当过|做过|以前是|原来是|曾是|退休的?)律师|"
        f"(?:讨论|聊|谈论){_NOT_CLAUSE_END}{{0,6}}(?:打官司|起诉|律师)|"
        f"(?:好吃|好喝|便宜|太香){_NOT_CLAUSE_END}{{0,4}}(?:想|要)?(?:起诉|告)",
    ),
    "safety": (
        # hooked, not poisoned: 听得中毒, 玩游戏玩中毒了, 中毒性的旋律
        f"(?:听|看|玩|读|刷|追|唱|逛|买|剁手){_NOT_CLAUSE_END}{{0,6}}中毒|中毒(?:性|般的|了一样)",
        # hurt feelings, a hurt wallet
        f"(?:心|心情|心灵|感情|自尊|情感|小心脏|内心|钱包|玻璃心){_NOT_CLAUSE_END}{{0,3}}受伤",
        # hyperbole: 人都要发霉了, 价格我都要过敏了, 难吃得我都快吐了
        "都(?:要|快|快要)(?:发霉|过敏|中毒|吐了|想吐)",
        # and said of oneself ahead of time: 我怀疑我要奶中毒了 (hooked), 我快发霉了
        f"(?:我|人)(?:都|也)?(?:要|快|快要){_NOT_CLAUSE_END}{{0,2}}(?:中毒|发霉)了",
        f"(?:价格|价钱|这价|涨价|广告|客服|态度|推销){_NOT_CLAUSE_END}{{0,6}}过敏",
        f"(?:人|我|整个人|心|脑子|生活|日子){_NOT_CLAUSE_END}{{0,2}}(?:快|要|都)"
        f"{_NOT_CLAUSE_END}{{0,2}}发霉",
        f"(?:感情|关系|友情|爱情|性质|初心|味道都){_NOT_CLAUSE_END}{{0,3}}变质",
        f"(?:看|听|读|气|笑)(?:得|的)?{_NOT_CLAUSE_END}{{0,3}}吐了|吐了(?:一?口气|舌头|槽)",
        "苍蝇馆|苍蝇小馆|米老鼠|猫和老鼠|猫捉老鼠|老鼠爱大米|书虫|懒虫|瞌睡虫|老鼠斑",
        # a shop's "bleeding" price cut, not blood
        "出血价|大出血|放血",
        # proverbs: one bad apple spoils the barrel
        "一?[只颗粒]?老鼠(?:屎)?(?:害|坏)了一锅",
        # hooked on a dish: 吃中毒了, 让人中毒
        "(?:吃|喝|让人|令人)中毒|(?:吃|喝)得[^，。！？]{0,4}(?:想吐|吐了)",
        # a hypothetical is not an event: 如有变质可退货, 万一过敏了怎么办
        f"(?:如有|如果|万一|以防|避免|防止|若有|可能){_NOT_CLAUSE_END}{{0,4}}(?:变质|过敏|发霉|中毒)|"
        "(?:变质|过敏|发霉|中毒)的?可能",
        # what a shampoo claims to prevent: 抗头痒, 止痒, 去屑止头痒
        "(?:抗|止|防)(?:头皮?|头发)?痒",
        # an itch of the past or of another product: 原来经常头皮痒，现在好了; 洗别的发水头皮就痒
        f"(?:原来|以前|之前|过去|曾经|别的|其他|其它|别家){_NOT_CLAUSE_END}{{0,6}}"
        f"(?:头皮|头发|头|皮肤|身上){_NOT_CLAUSE_END}{{0,3}}痒",
        # moth holes in clothes
        "虫子?咬(?:破|坏)|虫蛀",
        # vomit left on a carpet is dirt, not an illness; a mouldy smell is a damp room
        "呕吐物|呕吐的痕迹|发霉的?(?:气味|味道|味)|散发霉",
        # a smell in a room, a device or packaging is not spoiled food
        f"(?:房间|卫生间|厕所|洗手间|浴室|空调|被子|被褥|床单|毛巾|地毯|床|楼道|电梯|下水道|鞋|"
        f"衣服|裤子|裙子|外套|袜子|包装|塑料|箱子|机器|机身|电脑|屏幕|车|屋|客房|走廊){_NOT_CLAUSE_END}{{0,6}}"
        f"(?:异味|臭味|发臭|臭了)",
        r"\brat race\b|\b(?:lab|gym|mall|pack|rug|desert|water|mole|dirty|love|mall) rats?\b",
        r"\bsmell(?:s|ed|ing)? a rat\b|\brat(?:s|ted|ting)? (?:\w+ )?out\b|^rats\b",
        r"\binjury time\b|\bpoisoned (?:chalice|atmosphere|relationship)\b",
        # saying one has an allergy is not having a reaction
        r"\b(?:is|am|are|i'm|he's|she's|we're|they're)\s+allergic to\b",
        f"对{_NOT_CLAUSE_END}{{1,6}}过敏",
        # pest control on show is not a pest: 灭蟑螂的盒子, 老鼠药, 驱蚊
        "灭(?:蟑螂?|鼠|蝇|蚊)|(?:蟑螂|老鼠|苍蝇)(?:药|贴|屋|夹|板|拍)|粘鼠|捕鼠|驱蚊",
        # a comparison, not an animal: 跟小老鼠一样, 小苍蝇大的蚊子; 苍蝇都站不住 (glossy)
        f"(?:跟|像|和|如|似){_NOT_CLAUSE_END}{{0,3}}(?:老鼠|苍蝇|虫子|蟑螂)(?:一样|一般|似的|般)|"
        "(?:老鼠|苍蝇|虫子|蟑螂)(?:大|那么大|一样大)的|苍蝇都?站不住",
        # spat out for the taste, or disgust: 吃一口就吐了, 恶心想吐, 喝到想吐
        "一口就吐|恶心[，,！!]?想吐|(?:吃|喝|看|听)到想吐",
        # hooked: 已经中毒了，天天想吃
        f"中毒了?{_NOT_CLAUSE_END}{{0,2}}[，, ]?(?:天天|每天|一直|总是|还)想",
        # a hedge or a generic claim, not an event: 会不会变质, 喝多了会中毒, 容易进苍蝇
        f"(?:会不会|是否|容易|提醒|以免|担心|也该|需要|应该|(?<!不)小心|防止?|不怕)"
        f"{_NOT_CLAUSE_END}{{0,6}}(?:变质|过敏|发霉|中毒|苍蝇|去医院|蚊子|烫伤|受伤|拉肚子|"
        "闹肚子|上吐下泻)|会中毒|"
        # a worry the sentence goes on to deny (以为会闹肚子，结果第二天啥事没有; 吃了十几次，
        # 从没见过一只)
        "(?:拉肚子|闹肚子|肚子疼|上吐下泻|中毒|过敏|烫伤|受伤|蟑螂|老鼠|虫子)[^。！？!?]{0,24}"
        "(?:啥事没有|啥事都没有|什么事都没有|一点事都没有|都没问题|都没出问题|完全没事|"
        "从没见过一只|从来没见过一只|从没见谁|从来没见谁)|"
        # stating an allergy, not having a reaction (孩子海鲜过敏，老板特意用新锅)
        "(?:孩子|宝宝|我|老公|老婆|家人|朋友|女儿|儿子|老人)(?:对)?"
        "(?:海鲜|花生|芒果|坚果|鸡蛋|牛奶|酒精|小麦|麸质|虾|蟹)过敏[，,]|"
        # a smell that belongs to the dish (鲱鱼罐头有异味是正常的)
        "(?:异味|臭味)(?:是|很|也)?正常|"
        # an event said to happen to people in general: 喝了豆浆肚子疼的事时有发生
        "(?:变质|过敏|发霉|中毒|肚子疼|肚子痛|拉肚子|腹泻|呕吐)的?(?:事|事情|情况|现象)"
        "(?:时有|经常|常常|偶有|屡有|常有)",
        # a word quoted in an article (与“食物中毒”联系起来) is a mention
        '[“"「][^”"」]{1,6}[”"」]',
        # a torn box is damaged packaging, not spoiled goods: 箱子压烂了, 包装已经烂了
        # (a box as a measure word, 一箱烂了两个, counts the fruit: not matched)
        # (a bottle or a lid likewise: 瓶子烂了; a garment's holes: 衣服里面都是烂的; but 打开包装
        # 已经烂了 is the fruit found rotten on opening)
        # (a label, a tag or a carrier bag likewise: 标签烂了, 兜子都是烂的; a hotel's bathrobe
        # or towel: 浴袍都是烂的)
        "(?:箱子|纸箱|外箱|盒子|外包装|包装盒|(?<!打开|拆开)包装|袋子|兜子|手提袋|瓶子|瓶盖|瓶身|罐子|"
        "标签|商标|吊牌|瓶贴|封口|封条|胶带)[都已经被压也有点太全就是]{0,4}(?:烂了|烂掉|烂的)",
        f"(?:衣服|裤子|鞋子?|袜子|布料|面料|裙子|外套|浴袍|浴巾|毛巾|拖鞋){_NOT_CLAUSE_END}{{0,4}}"
        "(?:都是|全是|是)烂的",
        # a damp building's walls: maintenance, not food
        # and a hotel's bedding and fixtures likewise, named before or after: 枕套是发霉的,
        # 床头有部分发霉, 破烂发霉的墙壁 (housekeeping; mould on food or drink still hits)
        f"(?:{_FIXTURE}){_NOT_CLAUSE_END}{{0,8}}发霉|发霉的?{_NOT_CLAUSE_END}{{0,3}}(?:{_FIXTURE})",
        # "坏" counted on a device is a fault, not spoiled goods: 坏了一个电池, 灯坏了几个,
        # 买了3个平板，有2个是坏的; and knocked in transit (撞坏了几个, 磕坏了四个) is damage
        f"(?:烂|坏)了{_COUNT}个(?:{_DEVICE})|(?:{_DEVICE})[^。！？!?\n]{{0,12}}"
        f"(?:(?:烂|坏)了{_COUNT}个|{_COUNT}个(?:都|全|还|也)?是?坏的)|"
        f"(?:撞|磕|压|摔|碰|砸|挤)坏了?{_COUNT}个",
        # 烂 with a degree word is "lousy", not rotten: 这个苹果真的太烂了, 做工太烂
        "(?:太|真|超级?|好|很|特别|非常|巨|最)烂",
    ),
    # 拒付 needs the customer's agency: see NEEDS_CONTEXT. A rumour denied, or another shop's.
    "refund": (
        "(?:集体退款|组团退款|集体维权|组团维权|都在退款)[^。！？!?]{0,16}"
        "(?:传言|谣言|是假的|另一家|别家|隔壁)|(?:传言|谣言)[^。！？!?]{0,6}(?:集体|组团)",
    ),
    "viral": (
        "转发(?:抽奖|有奖|集赞)|(?:无线|信号)转发|避雷针|避雷器",
        # a giveaway (转发这条就能抽免费蛋糕), praise passed on (帮忙转发给爱吃的人), a post
        # not sent (本来要发微博吐槽), a blacklist it is not on (避雷清单里从来没有这家)
        f"转发{_NOT_CLAUSE_END}{{0,6}}(?:抽|送)|转发给(?:爱吃|喜欢吃|吃货)|"
        f"(?:本来|原本|差点)(?:要|想)?{_NOT_CLAUSE_END}{{0,2}}(?:发微博|发抖音|发朋友圈|转发|避雷)|"
        f"避雷(?:清单|名单|单|帖){_NOT_CLAUSE_END}{{0,4}}(?:从来|从|都|也)?(?:没有|没)",
        # too embarrassed to post is not posting: 都不好意思发朋友圈
        f"不好意思{_NOT_CLAUSE_END}{{0,2}}(?:发|晒|转发)",
        # a feature or a recommendation shared: 可以发到网上, 转发给朋友了，强烈推荐
        f"(?:可以|能|方便){_NOT_CLAUSE_END}{{0,4}}发到网上|"
        f"转发给{_NOT_CLAUSE_END}{{0,6}}[，, ]?(?:强烈)?推荐",
        f"(?:香|味|气味|香味|药效|热量){_NOT_CLAUSE_END}{{0,3}}扩散",
        r"\bshare this (?:dish|plate|meal|platter|pizza|with)\b|\bviral (?:infection|load)\b",
    ),
}

# --- patterns that are hits, as terms are --------------------------------------------------

INCLUDE: Final[dict[CrisisCategory, tuple[str, ...]]] = {
    "safety": (
        # a skin reaction: 头皮很痒, 全身起红包
        f"(?:头皮|头|皮肤|身上|全身|脸上){_NOT_CLAUSE_END}{{0,3}}(?:痒|红肿|起包|起红)",
        # spoiled goods counted: 烂了三个, 坏了俩, 三个都是烂的, 有一个还是烂的
        f"(?:烂|坏)了(?:{_COUNT}个|俩)|{_COUNT}个(?:都是|全是|还是|也是|是)?(?:烂|坏)的|"
        f"(?:都|全)是烂的|{_COUNT}个都?(?:烂|坏)了",
        # rotten inside: 外观没什么，不过里面坏了; 果心都烂了
        "(?:里面|果肉|果核|果心|核心)(?:都|全|已经|也)?(?:坏|烂)(?:了|掉)",
        # (not 烂苹果 / 烂果 as a noun: 烂 before a noun is often "lousy", not "rotten", as in
        # 什么烂苹果，太小了; a pager needs the event, e.g. 有两个是烂的)
        # stitches (缝了四针)
        f"缝了{_COUNT}针",
    ),
    "regulator": (
        # a complaint to the consumer hotline (315投诉, 315热线), or the hotline as a destination
        # (打315, 到315投去, 向315反映; not 涨到315元). One lookbehind, as it is tried at every
        # position of every text the gate lets through.
        f"(?<!\\d)315(?:热线|平台|网站|{_NOT_CLAUSE_END}{{0,3}}(?:投诉|举报))|"
        "(?:打给?|投诉到?|举报到?|向|找|到)315(?!\\d|\\.\\d|元|块)",
    ),
}

# Every pattern of INCLUDE holds one of these: a text without any is not scanned.
# (起包 and 315, not 包 and 5: those let 2.5 times as many texts through, for no more hits.)
INCLUDE_GATE: Final = "[痒肿烂坏]|起[包红]|315|缝了"

# --- terms that need (or must not have) a context within CONTEXT_WINDOW characters -----------

# Characters either side of the term: about ten Chinese words, or seven English ones.
CONTEXT_WINDOW: Final = 16
CONTEXT_WINDOW_EN: Final = 40
_FOOD: Final = (
    "菜|肉|饭|汤|鱼|虾|蟹|蛋|奶|食|吃|喝|外卖|鸡|鸭|米饭|面条|面包|饮料|包子|饺子|粥|饼|酱|"
    f"{_FRUIT}"
)
# Goods that arrived spoiled: 到货都发臭了, 收到的时候都快烂了 (a garment's or a box's smell is
# excluded above, so what is left is mostly produce).
_DELIVERED_FOOD: Final = f"{_FOOD}|到货|收到|收货|打开|开箱|拆开|发货|出货|寄来|送来|发过来"
_FOOD_OR_BODY: Final = (
    f"{_FOOD}|送医|医院|急诊|呕|吐|拉|腹|肚|胃|煤气|一氧化碳|甲醛|农药|孩子|宝宝|老人|全家|"
    "身体|发烧"
)
_SKIN: Final = (
    "吃|喝|食|用|皮肤|脸|身上|起|红|痒|疹|包|头皮|孩子|宝宝|海鲜|花生|芒果|药|医院|鼻|嘴|喉"
)
_EATING: Final = "吃|喝|食|菜|饭|肉|外卖|肚子|胃|拉|晚上|半夜|孩子|宝宝|中毒|过敏|腹泻|呕|难受"
_BODY: Final = (
    "手指|手上|手背|手掌|伤了手|伤手|脚|腿|嘴|舌|皮肤|孩子|宝宝|老人|脸|胳膊|流血|出血|伤口|"
    "摔|烫|割|砸|撞|滑倒|头破"
)
# The press reached: contacted, sent the story, published it. Every word that makes a press
# noun a report (rules_worded.py adds its own for a newspaper named by the customer).
PRESS_REACHED_ZH: Final = "找|联系|打给|反映|爆料|曝|报道|采访|发给|投稿|寄|约了|热线|刊登|已经"
# What a media or legal noun needs near it to be a threat or a report rather than a mention
# (朋友是记者, 美女律师, 央视的广告): somebody contacting, reporting, exposing, suing.
_ACTION_ZH: Final = (
    f"{PRESS_REACHED_ZH}|求助|上新闻|获悉|了解到|调查|暗访|起诉|告|咨询|委托|函|打官司|法律|见|"
    # the press or the lawyer already at work: arrived, called back, following it, to air
    "已经到|到店|到门口|到现场|来了|来店|介入|跟进|回电|电话|约好|稿|播出|会播|下周播|捅|评理|"
    "配合|谈|证据|案子"
)
# handing evidence to the press or bringing it along (把材料交给了记者, 带记者去看), the press
# filming it (被记者拍到了)
_HANDED_ZH: Final = "交给|交了|带|拍到|拍下|拍了|新闻"
_ACTION_EN: Final = (
    r"contact|call|tell|told|email|going to|go to|will|story|report|expos|in the news|"
    r"write|writing|tip|sue|court|letter|hire|speak|my |our |rang|forward|pitch|meet|in touch"
)
NEEDS_CONTEXT: Final[dict[str, str]] = {
    "中毒": _FOOD_OR_BODY,
    "过敏": _SKIN,
    "异味": _FOOD,
    "臭味": _FOOD,
    "发臭": _DELIVERED_FOOD,
    "臭了": _DELIVERED_FOOD,
    "吐了": _EATING,
    "想吐": _EATING,
    "看医生": _EATING,
    "挂水": _EATING,
    "输液": _EATING,
    "住院": _EATING,
    "急诊": _EATING,
    "去医院": _EATING,
    "划伤": _BODY,
    "受伤": _BODY,
    "烂了": _DELIVERED_FOOD,
    # slang for a cockroach, and also a given name (服务员小强)
    "小强": "菜|饭|汤|碗|盘|桌|厨|枕|床|房间|爬|地上|墙|柜|只|跑",
    **dict.fromkeys(("流血", "出血"), f"{_BODY}|牙|唇|扎|划|割|破"),
    # a bank dispute begun, not asked about or heard of (信用卡申诉怎么操作?)
    "信用卡申诉": "已经|已|做了|提交了?|发起了?|在银行|正在|申诉了",
    # something found in the food (吃出一块塑料, 混着一截创可贴): plastic, nails and wire are
    # everywhere in reviews of goods
    **dict.fromkeys(
        ("塑料", "创可贴", "烟头", "碎玻璃", "铁丝", "钢丝", "指甲", "钉子", "刀片", "铁片",
         "石子"),
        "吃出|吃到|咬到|喝出|喝到|混着|夹着|菜里|饭里|汤里|面里|粥里|馅里|碗里",
    ),
    # one order's refund is everyday service work; many customers asking at once are not
    # (几十个人堵在门口要求退款, 好几个客户都在找店家退款)
    **dict.fromkeys(
        ("要求退款", "申请退款", "找店家退款", "要求退钱", "要求退费", "退学费", "退定金",
         "退回定金"),
        "顾客们|家长们|学员们|会员们|客户们|大家|几十|上百|好几个|很多人|好多人|群里|一群|"
        "一起|纷纷",
    ),
    "烂掉": _DELIVERED_FOOD,
    "腐烂": _DELIVERED_FOOD,
    **dict.fromkeys(("记者", "媒体", "电视台", "央视", "报社"), f"{_ACTION_ZH}|{_HANDED_ZH}"),
    **dict.fromkeys(("律师", "法院"), _ACTION_ZH),
    # a bank dispute is the customer's: a hotel's "guest refused to pay" slip (开了个客人拒付的
    # 单子) or a shop's rule is not one
    "拒付": "银行|信用卡|卡|申请|发卡|支付宝|微信|维权|投诉|大家|一起|集体|"
    "我们?(?:已经?|要|会|将|准备|打算|去|就)",
    **dict.fromkeys(
        ("journalist", "journalists", "reporter", "reporters", "media", "newspaper",
         "tv station", "lawyer", "lawyers", "attorney"),
        _ACTION_EN,
    ),
}  # fmt: skip
# Terms dropped when this context is near: an illness the business helped with (the hotel
# took the guest to hospital), or had nothing to do with; a foreign body in a screen; the
# exposure of a camera.
_NOT_CAUSED: Final = (
    "感谢|谢谢|陪|照顾|关怀|慰问|感冒|着凉|水土不服|体质|心脏|阑尾炎|"
    "肠胃(?:太|比较|本来就|一直)?(?:弱|不好|差|敏感)"
)
AVOID_CONTEXT: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("拉肚子", "去医院", "输液", "挂水", "住院", "看医生", "急诊", "上吐下泻", "闹肚子",
         "肚子疼", "肚子痛", "胃疼", "胃痛"),
        _NOT_CAUSED,
    ),
    "异物": "屏幕|屏|镜头|机器|电脑|键盘|空调|显示",
    "曝光": "拍|照|相机|镜头|摄像|对焦|聚焦|画面|白平衡|底片",
}  # fmt: skip
# A text about a book's or a film's story: its poisonings and lawyers are the plot's; a news
# item (据悉, 【来源) reports other parties' affairs, not a customer's own.
OFF_TOPIC: Final = (
    "据悉|据报道|【来源|来源：|里面(?:有)?(?:说|讲|写|提)(?:到|的)|书上(?:说|讲|写)|文中|文章中|"
    "这本书|本书|书中|书里|这套书|作者|小说|情节|主人公|故事|电影里|剧中|读者|这部剧|剧里|电视剧|"
    # and a joke is no report (开玩笑说会吃出虫子)
    "桥段|开玩笑"
)

# English terms that are also names: capitalised ("Sue") or possessive ("SUE's Kitchen").
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
