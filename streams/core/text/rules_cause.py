"""Context rules for hits that name a word of crisis but no crisis of the business's making.

Each is a class of wrong hit seen on review text, kept apart from ``rules.py`` (which merges
them into its tables) only to keep modules short. The classes:

- **the customer's own doing**: fruit left at home for days before it rotted;
- **someone else's goods**: a smell or an itch from goods bought elsewhere or given by others;
- **a guess**: rot imagined for goods not yet received (烂都已经烂了吧);
- **a name, not a complaint**: a regulator as a designation's issuer, a bus stop, the author
  of a rule the hotel quotes, or the target of a staff retort (去315投诉吧);
- **figures of speech**: idioms and comparisons with pests (过街老鼠, 比老鼠还…);
- **devices**: a broken device counted (一个坏的平板, misspelt 冲电器), 漏电 said of battery drain;
- **harmless pests**: an insect's bite on a fruit, insects outdoors or only heard, people who
  fear insects;
- **a hotel room's smell or mould**: upkeep, as mould on its walls, wallpaper or shower is,
  and so is feeling sick from staying in it (呆久了…想吐);
- **software**: a phone's media player (打开媒体);
- **boilerplate**: 转发微博, the default text of every Weibo repost, which spreads only what
  the post says;
- **clothes that itch**: a quality complaint about the fabric, not a reaction to a product;
- **the customer's own ailment**: an injury or illness of their own that the goods did not
  cause (最近腿受伤了), an itch they had before and buy the goods to treat or switch to them
  for, or one a wash leaves as it was (跟没洗时差不多);
- **an idiom**: 就当吃了个苍蝇 (swallow the insult), 蛀虫 (a parasite of an institution);
- **handling damage**: fruit pressed or knocked (被指甲掐坏了) is damaged, not rotten;
- **fittings and ports**: a shower head or a port that is broken or mouldy is a fault;
- **fruit left** by the customer (放着就没管了), with no time said;
- **someone else's itch**: from another product, or of other people (用着痒的应该是…);
- **no scandal**: 一条丑闻都没有 names a scandal to deny one;
- **a complaint not made**: 本想到315投诉，但… (given up), a regulator's office as a landmark;
- **a harm imagined**: under an if (万一酒店失火), or feared in the if's sentence;
- **kept at home**: fruit gone bad on the third day or later (第3天, 五天后), after "a while"
  or "within a few days" (放一段时间后, 没过几天);
- **packaging**: goods' mouldy box (包装盒也发霉) is not the goods (a fruit's box is);
- **no spoilage**: a hole with no rot, slight rot the customer calls nothing, insects a garden
  draws.
"""

from __future__ import annotations

from typing import Final

from streams.core.text.config import CrisisCategory

_NOT_CLAUSE_END: Final = "[^，,。.！!？?；;\n]"
_NOT_SENTENCE_END: Final = "[^。！!？?\n]"
_ROT: Final = "烂|坏|腐|霉|长毛|变质|臭"
_FRUIT: Final = "水果|苹果|火龙果|橙|橘|桔|梨|桃|葡萄|瓜|莓|果子|果|香蕉|芒果|猕猴桃|樱桃|柚"
# How long the customer kept it: days or more (not 一天 / 两天: fruit that rots within a day
# or two of arrival was not sound; not 很久 / 多久, said of the seller's stock).
_DAYS: Final = (
    "几天|好几天|多天|[三四五六七八九十]{1,2}天|[3-9]天|1\\d天|[一两几]周|"
    "[一两几]?个?(?:星期|礼拜)|"
    "第[二三四]个?(?:星期|礼拜|周)|半个月|一个月|一段时间|一些日子|些日子|段日子"
)
# The third day or later after it came, told of fruit gone bad (买回来第3天里面就全部发霉了,
# 第4天早上就有两个发霉了): kept at home as long as that, as fruit left for days is. Not 两三天
# (two or three days: soon).
_NUMBER_3: Final = "[三四五六七八九十]{1,2}|[3-9]|1\\d"
# (Not 过了几天: what took the days may be the telling, 过了几天她才给我说，每个都是烂的.)
# Also "within a few days" (没过几天就坏了一个): days at home, with no keeping verb said.
_LATER_DAY: Final = (
    f"第(?:{_NUMBER_3})天|(?<![两二一])(?:{_NUMBER_3})天(?:后|以后|之后|过后)|"
    "没过?(?:几|好几|三四|四五)天|没过多久"
)
# Transit in between: the days were spent on the way (第三天才到，烂了一半), not at home.
_TRANSIT: Final = "到|快递|物流|路上|运输|寄"
# A surprise (冰箱里放了几天居然发霉) says it should have kept: the complaint stands; so does
# goods that came so (送来, 收到 …).
_STILL_A_COMPLAINT: Final = "居然|竟然|竟|送|收到|到货|到手|拿到|发货"
# A pest between the start of a long exclusion and its end is a hit of its own that the
# exclusion must not cover (房间有蟑螂，潮湿，霉味). A lookahead on it stops before the word's
# first character: a stop at 蝇 of 苍蝇 would leave 苍 inside the exclusion, which overlaps the
# hit and drops it.
_PEST: Final = "蟑|老?鼠|虫|苍?蝇|蚊|跳蚤"
# Mould and rot by the first character of each word, for the same reason (上霉, 发霉, 长霉).
_SPOILT: Final = "(?:上|长|发)?霉|(?:发|酸)?臭|腐|烂|变质|馊|长毛"
_STORED: Final = (
    f"(?<!道)(?:放|搁|存|冷藏)(?:了|在|进|到)?(?:冰箱|家里?|冷藏室?|阳台)?里?的?(?:{_DAYS})"
    f"|忘(?:记|了)吃"
)
_REGULATOR: Final = (
    "旅游局|文旅局|工商局|工商部门|市场监管局|市场监管|市监局|卫生局|质监局|物价局|消协|食药监|"
    "卫生监督|消费者协会|消委会"
)
_HOTLINE: Final = f"{_REGULATOR}|12315|315"
# Meant to and did not: 本想, 本来打算 (what follows is the plan dropped).
_MEANT_TO: Final = "本想|本来想|原想|原本想|本打算|本来打算|原本打算|本要|本来要"
_NEXT_TO: Final = "旁边|隔壁|对面|附近|楼下|楼上|边上|紧邻|挨着"
_STAFF: Final = "经理|前台|客服|服务员|店员|店长|老板|商家|卖家|掌柜|工作人员|对方|保安"
# Shops other than the one reviewed, and the past: 外边买的有异味, 以前买的…也痒.
_ELSEWHERE: Final = (
    "外边|外面|外头|别家|别处|别的店|其他店|其它店|超市|菜市场|市场上?|水果店|实体店"
)
# An earlier purchase may have been from the same shop (上次买的也有烂的 is a complaint): only
# an itch that "also" came with it says the itch is the customer's, not the goods'.
_BEFORE: Final = "以前|之前|原来|上次"
# This purchase, named: the comparison has turned to the goods reviewed.
_THIS: Final = "这|本|你们|京东|现在|结果|但|可是|却|蟑|鼠|虫|蝇|蚊"
_DEVICE: Final = (
    "平板|手机|电脑|笔记本|机器|机子|充电器|显示器|相机|路由器|打印机|数据线|电源|适配器|"
    "鼠标|键盘|耳机|音箱|电视|遥控器?|电池|灯泡?|插座|插头|硬盘|主板|内存|光驱|屏幕?|"
    # and their common misspellings (冲电器 for 充电器)
    "冲电器|充电宝|冲电宝|移动电源"
)
_ROOM: Final = "房间|客房|屋里|屋子|房内|走廊|楼道|卫生间|洗手间|浴室|地毯|大堂|电梯"
# A hotel's walls, bath and bedding, where mould is upkeep too (发霉脱落的壁纸, 洗澡的都是发霉);
# one delivered mouldy (浴帘收到就发霉了) is goods, and the guard of 收到 keeps it.
_SURFACE: Final = "墙|壁纸|墙纸|天花板?|洗澡|浴缸|浴帘|淋浴|浴池|窗帘|窗台|被套|被子|枕头|床单"
_FOOD_WORD: Final = "吃|喝|菜|饭|肉|汤|食|餐|早点|奶|面条|面包|水果|苹果"
# What makes a stay's sickness more than the air: food, a pest, a gas or a reaction.
_NOT_THE_AIR: Final = (
    f"{_FOOD_WORD}|{_FRUIT}|{_PEST}|鱼|虾|蛋|煤气|燃气|甲醛|一氧化碳|漏气|痒|过敏|中毒|药"
)
# Clothes and fabric: an itch they cause is a quality complaint about the garment.
_GARMENT: Final = (
    "穿|衣服|上衣|衣|裤|裙|袜|毛衣|外套|内衣|衬衫|t恤|睡衣|围巾|帽子|布料|面料|料子|领子|领口|"
    "标签|线头|羊毛|毛线"
)
# What the customer used or ate besides the garment: an itch after it is that product's.
_OTHER_USE: Final = "洗发|洗头|头皮|沐浴|擦|涂|抹|吃|喝"
# The customer's own ailment, told as news of their own (最近腿受伤了, 前几天生病住院).
_LATELY: Final = (
    "最近|近来|前几天|前两天|前段时间|前阵子|这几天|这两天|那几天|刚好|正好|恰好|本来就"
)
_AILMENT: Final = "受伤|扭伤|摔伤|骨折|生病|病了|感冒|发烧|住院"
# Fruit knocked, pressed or scratched: damaged, not rotten (碰烂, 摔烂 still are rot).
_KNOCK: Final = "指甲|掐|捏|撞|磕|压|摔|碰|砸|挤|划|刮|抠|戳"
# Found besides the damage, or inside: another fault, not the knock's.
_BESIDES: Final = "或|另|还有|其他|其它|其余|剩下|里面|里边|内部|切开|发现|打开|又|也有"
# Fittings and ports that break or get mouldy: a fault of the room or the device.
_FITTING: Final = (
    "淋浴|花洒|喷头|龙头|热水器|马桶|门锁|门把|锁|窗户|吹风机|电吹风|水壶|空调|冰箱|衣架|椅子|"
    "桌子|柜|抽屉|usb|接口|插口|充电口|耳机孔|端口|卡槽|按键|按钮|机身|主板|电路板"
)
# A harm imagined, not met: 万一酒店失火, 要是吃出虫子怎么办, 如果点肉…真怕是变质的. Not 主要是
# / 就要是; not a counterfactual of what did happen (如果不是及时去医院, 要是早知道有蟑螂). A
# fear alone (怕中毒, 怕起火) is left to hit: it is mostly told of goods already found smelly,
# hot or rotten, and read so in the set.
_IF: Final = (
    "万一|(?:如果|假如|假若|倘若|若是|(?<![主就还只总需重正不])要是)(?!不是|没有|早?知道|早)|一旦"
)
_FEAR: Final = "(?<![可恐哪不])怕|担心"
# Words that say it did happen after all end the hypothetical's reach.
_HAPPENED: Final = "结果|果然|居然|竟然|真的|还真|已经|确实"
# Not 烂 / 坏 alone: 如果可以多放几个烂的 is sarcasm about rot found, and counted rot is an
# event pattern of its own.
_HARM: Final = (
    "失火|起火|火灾|着火|触电|漏电|中毒|变质|(?:上|长|发)霉|过敏|(?:拉|闹)肚子|腹泻|吐|受伤|"
    "烫伤|划伤|腐烂|住院|去医院|看医生|虫|蟑螂|老鼠|苍蝇|蚊子|(?:发|酸)?臭|异物|安全隐患"
)
# Slight rot, and the customer calls it nothing (坏了一点点，正常现象; 稍微有小块腐烂，但不影响
# 食用). One fruit bad "understandably" (可以理解) stays a complaint: it is not said slight.
_SLIGHT: Final = "一点点|一丁点|一点|点|一些|一小块|小块|一小点"
_HARMLESS: Final = (
    "正常|不影响|没关系|无所谓|没事|不要紧|不碍事|无伤大雅|可以接受|能接受|不介意|问题不大"
)
# Said of the fruit kept: one or two days after arrival it should still be sound.
_SOON: Final = "第二天|隔天|次日|当天|当晚|一天|两天|没两天|一晚"

EXCLUDE: Final[dict[CrisisCategory, tuple[str, ...]]] = {
    "safety": (
        # fruit the customer kept for days before it rotted: 放了几天没吃，全都烂了,
        # 放冰箱第二个星期就有点烂了, 买回来忘记吃…坏了两三个, 直接放烂了
        f"(?:{_STORED})(?:(?!{_STILL_A_COMPLAINT}|{_PEST}){_NOT_SENTENCE_END}){{0,14}}(?:{_ROT})|放烂|"
        f"(?:{_LATER_DAY})(?:(?!{_STILL_A_COMPLAINT}|{_PEST}|{_TRANSIT}){_NOT_SENTENCE_END}){{0,14}}"
        f"(?:{_ROT})",
        # a guess about goods not yet received: 烂都已经烂了吧 (said of rot only: 这是过敏了吧
        # reports a reaction)
        "(?:烂|坏|变质|发霉|发臭|臭)(?:掉|透)?了吧",
        # someone else's goods: 外边买的有异味; 以前买的清扬，洗完头皮也痒; 朋友送的…头皮痒
        f"(?:{_ELSEWHERE}){_NOT_CLAUSE_END}{{0,4}}(?:买|用)的"
        f"(?:(?!{_THIS}){_NOT_CLAUSE_END}){{0,8}}(?:异味|臭|烂|坏|霉|痒)|"
        f"(?:{_ELSEWHERE}|{_BEFORE}){_NOT_CLAUSE_END}{{0,4}}(?:买|用)的"
        f"(?:(?!{_THIS}){_NOT_SENTENCE_END}){{0,10}}也(?:会|有点|很)?痒|"
        f"(?:家人|朋友|同事|别人|亲戚|公司|单位){_NOT_CLAUSE_END}{{0,6}}送的[）)]?"
        f"{_NOT_SENTENCE_END}{{0,6}}痒",
        # idioms and comparisons: 过街老鼠 (hated by all), 比老鼠还厉害 (the standard of a
        # comparison is not a pest seen), 读书不过是条虫子
        "过街老鼠|老鼠过街|胆小如鼠|鼠目寸光|抱头鼠窜|贼眉鼠眼|獐头鼠目|蛇鼠一窝|投鼠忌器|"
        "比(?:老鼠|苍蝇|蟑螂|虫子)还|(?:不过|只|就)是一?条虫",
        # a device counted broken: 买了一个坏的平板电脑 (a fault, not spoiled goods)
        f"(?:烂|坏)(?:了|的)的?{_NOT_CLAUSE_END}{{0,3}}(?:{_DEVICE})",
        # an insect's bite on a fruit is a mark, not a pest delivered; insects outdoors (not
        # coming in) and people who fear them are no pest in the room
        f"(?:{_FRUIT}){_NOT_CLAUSE_END}{{0,6}}被?虫子?咬|虫眼|"
        f"(?:外边|外面|外头|户外|室外|野外|山里|山上|树林|林子|草地|草丛|湖边|河边|江边|海边|花园|"
        f"院子|窗外|窗户外[面边]?)的?{_NOT_CLAUSE_END}{{0,4}}(?:虫子|苍蝇|蚊子)"
        f"(?!{_NOT_CLAUSE_END}{{0,8}}(?:进|飞到|爬到|房|屋|床|菜|饭|碗|盘|食))|"
        # insects heard, not seen (窗外是虫子不停的鸣叫): a noise
        "虫子?(?:们)?(?:不停|一直|整夜|彻夜)?[地的]?(?:鸣叫|叫声|叫个不停|鸣|声)|"
        "(?:害怕|怕|讨厌)(?:虫子|老鼠|蟑螂|苍蝇)的",
        # a hotel room's smell or mould, in the clause or the next (进了房间，一股酸臭味; 床上面
        # 也都是发霉的; 发霉的房间): upkeep, as mould on its walls is; food named in between
        # makes it food again
        f"(?:{_ROOM}|{_SURFACE}|床上|床铺)"
        f"(?:(?!{_FOOD_WORD}|{_PEST}|{_STILL_A_COMPLAINT}){_NOT_SENTENCE_END}){{0,10}}"
        "(?:酸臭|霉味|异味|臭味|发臭|臭了|发霉|长霉|霉斑|霉点)|"
        f"发霉的?{_NOT_CLAUSE_END}{{0,3}}(?:房间|客房|屋子|{_SURFACE})",
        # goods' mouldy packaging (包装盒也发霉潮湿): not the goods; a fruit's box is (箱子都发霉了)
        f"(?<![果菜食])外?包装(?:盒|袋)?(?:也|都|有点|有些|已经|全)*(?:发霉|长霉|霉)"
        f"(?!{_NOT_SENTENCE_END}{{0,10}}(?:{_FRUIT}|{_FOOD_WORD}))",
        # sick from staying in a place (在那里呆久了会让人…想吐): the room's air, as its smell is;
        # read from the sentence's start, so food, a pest or a gas anywhere before keeps the hit
        f"(?:^|(?<=[。！!？?\n]))(?:(?!{_NOT_THE_AIR}){_NOT_SENTENCE_END})*?(?:呆|待)"
        "(?:久了|得久了?|时间长了|了?一会儿?|了?半天)"
        f"(?:(?!{_NOT_THE_AIR}){_NOT_SENTENCE_END}){{0,16}}(?:想吐|恶心|头晕|头疼|头痛)",
        # clothes that itch, in the same sentence (穿在身上有点痒, 衣服穿起来，身上好痒): unless
        # another product is used in between (衣服不错，洗完头头皮痒)
        f"(?:{_GARMENT})(?:(?!{_OTHER_USE}){_NOT_SENTENCE_END}){{0,12}}痒(?:好?痒)*",
        # the customer's own ailment: 最近腿受伤了, 前几天生病住院了; an itch the goods are bought
        # to treat (头皮还很痒，试试这款看看会不会有改善)
        f"(?:{_LATELY})(?:我|自己|本人)?的?(?:腿|脚|腰|手|胳膊|膝盖|脚踝)?(?:也|又)?(?:{_AILMENT})"
        f"(?:了|住院|在医院|去医院|输液|挂水|看医生)*|"
        f"(?:头皮|头|皮肤|身上|全身|脸上){_NOT_CLAUSE_END}{{0,3}}痒{_NOT_SENTENCE_END}{{0,12}}"
        "(?:试试|试一试|试一下|看看?(?:会不会|能不能|有没有)|所以买|特意买|专门买|"
        # or that made them switch to the goods reviewed (痒得不行，这次换沙宣看看)
        f"换{_NOT_CLAUSE_END}{{0,6}}(?:看看|试试|试一试|试一下))|"
        # an itch still there as before the wash (头皮还是很痒，跟没洗时差不多): not relieved, not
        # caused; without 还是 (洗完头痒，跟没洗一样) the wash is blamed, and it still hits
        "(?:还是|依然|依旧|仍然|仍旧|照样|照旧)(?:很|有点|那么|一样)?痒[，, ]?"
        "(?:跟|和|与|同)(?:没(?:洗|用)|(?:洗|用)(?:之|以)?前)(?:时|的时候|之前|前)?的?"
        "(?:差不多|一样|一个样|没区别|没什么区别|没两样)",
        # idioms: 就当吃了个苍蝇 (swallow an insult), 像吞了苍蝇一样; 蛀虫 and its kind are people
        "(?:就|只)?当(?:是|作)?(?:吃|吞)了?(?:一?[个只])?(?:死)?苍蝇|"
        # (象 and 似地 are common spellings of 像 and 似的; 吞吃, 吞下 of 吞)
        "(?:像|好像|象|好象|如同|跟|犹如|仿佛)(?:是)?(?:吞吃|吞下|吃|吞)了?(?:一?[个只])?(?:死)?苍蝇|"
        "(?:吞吃|吞下|吃|吞)了?(?:一?[个只])?苍蝇(?:一样|似的|似地|般)|苍蝇不叮|[拍打]苍蝇|"
        "蛀虫|可怜虫|糊涂虫|跟屁虫|应声虫",
        # fruit knocked or pressed (被指甲掐坏了，其中一个坏的厉害): the 坏 that follows in the
        # sentence is that damage; rot, mould or a pest named after it still hits (碰伤了，收到
        # 后有点上霉了), and so does more found inside or besides (摔坏了一点，切开才发现里面坏了;
        # 磕伤或坏的)
        f"(?:{_KNOCK})(?:坏|伤|破|痕|印)(?:(?!{_SPOILT}|{_PEST}|{_BESIDES})"
        f"{_NOT_SENTENCE_END}){{0,24}}",
        # a broken or mouldy fitting or port (淋浴头两个都是坏的, usb发霉): no food in between
        f"(?:{_FITTING}|{_DEVICE})(?:(?!{_FOOD_WORD}|{_FRUIT}|{_PEST}){_NOT_SENTENCE_END}){{0,12}}"
        "(?:坏|烂)(?:的|了|掉)?|"
        f"(?:{_FITTING}|{_DEVICE})口?{_NOT_CLAUSE_END}{{0,4}}(?:发霉|生锈|长霉)",
        # fruit the customer left, no time said (放着就没管了…都发霉了): not when it went bad a day
        # or two after, nor when it came so
        "(?:放(?:着|在那里?|在一边|一边)(?:就|也|都)?(?:没|不)(?:管|动|吃|理)|一直没(?:吃|管|动)|"
        f"没顾上吃)(?:(?!{_STILL_A_COMPLAINT}|{_PEST}|{_SOON}){_NOT_SENTENCE_END}){{0,30}}"
        f"(?:{_ROT})",
        # another product's itch (以前用别的产品，总是洗完头后痒), or other people's (有人说头皮
        # 痒; 用着头皮痒的应该是刚开始换)
        "(?:别的|其他|其它|别家|别人家的?)(?:产品|牌子|品牌|洗发水|洗发露|洗发|沐浴露|香皂|洗面奶)"
        f"(?:(?!{_THIS}|唯独|只有|偏偏|它){_NOT_SENTENCE_END}){{0,14}}痒|"
        f"(?:有人|别人|有的人|有些人|网友|看评价|看评论|听说){_NOT_CLAUSE_END}{{0,8}}痒|"
        f"{_NOT_CLAUSE_END}{{0,5}}痒的(?:人|朋友|亲们?)?(?:应该|可能|估计|大概|多半)",
        # a fruit damaged with a hole, no rot said (就一个坏了个洞): a hole, not spoilage
        "坏了?一?个小?(?:洞|口子|坑|眼)",
        # slight rot the customer calls nothing: 坏了一点点，正常现象; 稍微有小块腐烂，但不影响
        f"(?:{_SPOILT}|坏)了?(?:{_SLIGHT}){_NOT_SENTENCE_END}{{0,8}}(?:{_HARMLESS})|"
        f"(?:稍微|稍稍|略微|轻微|有一点点|一点点)有?(?:{_SLIGHT})?(?:{_SPOILT}|坏)"
        f"{_NOT_SENTENCE_END}{{0,10}}(?:{_HARMLESS})",
        # insects a place draws, a prediction (花园会引来不少虫子), not insects seen inside
        f"(?:引来|招来|招引|吸引)(?:不少|很多|好多|一些|大量)?的?(?:{_PEST})"
        f"(?!{_NOT_CLAUSE_END}{{0,8}}(?:进|飞到|爬到|房|屋|床|菜|饭|碗|盘|食))",
        # a harm imagined: in the clause of an if (万一酒店失火), or a fear later in its sentence
        # (如果点肉,鱼之类,真怕是变质的); a later clause that reports it still hits (结果收到
        # 就发霉了)
        f"(?:{_IF})(?:(?!{_HAPPENED}){_NOT_CLAUSE_END}){{0,8}}(?:{_HARM})|"
        f"(?:{_IF})(?:(?!{_HAPPENED}){_NOT_SENTENCE_END}){{0,16}}(?:{_FEAR})"
        f"{_NOT_CLAUSE_END}{{0,6}}(?:{_HARM})",
    ),
    "regulator": (
        # a regulator as the issuer of a designation or a rule: 旅游局《…定点单位》,
        # 停车收费是物价局统一规定, 旅游局评定的三星
        f"(?:{_REGULATOR})(?:的|统一|颁发的?|指定的?|认定的?|授予的?)?"
        "(?:规定|标准|核定|核准|批准|定价|备案|《|定点|指定|认定|评定|颁发|授予|挂牌|命名|审批)",
        # a regulator's building as a stop: 坐到澳门旅游局那一站
        f"(?:坐到|坐车到|乘到|坐至){_NOT_CLAUSE_END}{{0,6}}(?:{_REGULATOR})"
        f"{_NOT_CLAUSE_END}{{0,14}}(?<!网)站",
        # a retort, the staff's, not a complaint: 经理的答复是“去315投诉吧”, 你有本事去找消协
        f"(?:{_STAFF}){_NOT_SENTENCE_END}{{0,8}}(?:答复|回答|回复|说|叫我|让我|告诉我)(?:是|道)?"
        f"[：:，, ]?[“\"「‘']?(?:你|您)?们?(?:可以|尽管|有本事|爱|随便|就)?(?:去|到)?找?"
        f"(?:{_HOTLINE})|(?:你|您)们?(?:有本事|尽管|爱|随便)(?:去|到)?找?(?:{_HOTLINE})",
        # an intention given up, in its clause: 本想到315投诉，但忙得没时间 (本想 says it was not
        # done; a later clause that does it still hits)
        f"(?:{_MEANT_TO}){_NOT_CLAUSE_END}{{0,10}}(?:{_HOTLINE}|举报)",
        # a regulator's office as a landmark or a service point: 旁边旅游局办事处订机票,
        # 工商局对面; the institution-as-place rule of rules.py names only some regulators
        f"(?:{_NEXT_TO})(?:就是|是|有|的)?(?:{_REGULATOR})|"
        f"(?:{_REGULATOR})的?(?:办事处|大楼|大厦|宿舍|家属院|招待所|宾馆|售票处)|"
        f"(?:{_REGULATOR}){_NOT_CLAUSE_END}{{0,4}}(?:{_NEXT_TO}|不远|很近|较近)",
    ),
    "media": (
        # a phone's media player, not the press: 打开媒体时很慢
        "(?:打开|播放|启动|运行|进入|切换)媒体|媒体(?:文件|功能|软件|程序|格式|应用|播放器)",
        # a scandal named to deny there was one: 一条丑闻都没有的结果就是…
        "(?:一[条个件起桩]|任何)丑闻(?:都|也)(?:没|不)",
    ),
}

# What 漏电 needs nearby to be a shock or a hazard: in phone and laptop talk it also means a
# battery that drains on standby (客服检测说机器漏电，同意换机器).
_SHOCK: Final = (
    "麻|电到|电了|电击|触电|手(?!机)|摸|碰|危险|隐患|火|烟|孩子|宝宝|安全|热水器|洗衣机|插座|外壳|"
    "金属|水"
)
# What a Weibo repost must say to spread a complaint: a boycott (不购买任何…产品, 都不喝了),
# a condemnation, a warning; a joke or a musing under it (笑翻了) spreads none.
_CONDEMNS: Final = (
    "抵制|严惩|鄙视|缺德|可恶|无耻|黑心|太黑|黑手|倒闭|远离|人渣|祸害|垃圾|太假|假了|骗|坑|毒|"
    "恶心|曝光|举报|扩散|避雷|投诉|不敢(?:喝|吃|买|用)|再也不(?:喝|买|吃|用)|别(?:喝|买|吃)|"
    "不要(?:喝|买|吃)|还有人(?:喝|买|吃|用)|不(?:再)?(?:买|购买)|(?:都|再也|再|就)不喝|不喝了|讨厌"
)
NEEDS_CONTEXT: Final[dict[str, str]] = {"漏电": _SHOCK, "转发微博": _CONDEMNS}
# Characters either side a term's context is read in, where the default is too short: the
# post a repost's boilerplate spreads is all of it.
CONTEXT_REACH: Final[dict[str, int]] = {"转发微博": 200}
