"""Labelled streams of synthetic Ningbo reports, for evaluating and calibrating dedup and for benchmarks.

The generator draws incidents on the real bundled gazetteer (every county, town and community name is
a real one; roads and house numbers are invented but built from those names, as many Ningbo roads are)
and writes each incident's reports through several channels, each with its own voice, over a stream of
days. Ground truth travels with every report: the incident (event) it belongs to, the category of the
problem, and for the first report of a recurrence the incident it recurs. Closing times of incidents
are part of the stream so that an evaluation can close events when the city would have.

What makes it hard on purpose (each a knob of :class:`Mix`):

* paraphrases: every problem has several wordings, and each channel wraps them in its own voice (grid
  worker "巡查发现…", 12345 hotline "来电人反映…", app/WeChat first person);
* address variants: full administrative path, road + number, Chinese numerals (一百六十八号),
  colloquial (门口, 对面, 这边), compound + building, numberless, or no address at all;
* hard negatives: a second incident at the same place with a different problem, the same problem next
  door (168号 vs 170号), and recurrences (same place and problem after the first was closed);
* bursts: one visible incident (a burst main, a fire) reported ~30 times within an hour;
* coordinates: some channels' reports carry a GPS position with a few metres of error. No public
  data gives Ningbo's streets, so the map is invented but consistent: each community has a made-up
  centroid, its roads run from it with house numbers every 6 m (odd and even sides apart), its
  compound's buildings stand 35 m apart; next door is 12-70 m away, within a few GPS errors.

Everything is drawn from ``numpy.random.Generator(PCG64(seed))`` in a fixed order, so a seed gives the
same stream byte for byte on every machine. Generation is vectorised per day with numpy; only the
final string assembly is a Python loop (see ``benchmarks/bench_dedup.py`` for the measured rate).

>>> from routing_core.synth import generate
>>> batches = list(generate(days=2, reports_per_day=200, seed=7))
>>> sum(len(b) for b in batches) > 300
True
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

try:
    import numpy as np
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "routing_core.synth (routing-core synth, evaluate, calibrate, bench) needs numpy: "
        "pip install 'routing_core[synth]'"
    ) from exc

from .arguments import require_int
from .errors import excerpt
from .gazetteer import default_gazetteer_path

__all__ = ["Batch", "Mix", "PROBLEMS", "generate", "iter_reports"]

TZ = timezone(timedelta(hours=8))
DAY = 86400
HOUR = 3600

# Incident kinds (truth "kind"): how an incident came to be drawn.
KINDS = ("normal", "same_place_other_problem", "next_door", "recurrence", "burst")


@dataclass(frozen=True)
class Mix:
    """The proportions of the stream. The defaults are the "default mix" the targets refer to.

    Reports per incident: 1 with probability ``single``, else 2 + a geometric number with mean
    ``extra_mean`` (so about 40 % of reports are duplicates); a burst incident has ``burst_size``
    reports within ``burst_minutes``.
    """

    single: float = 0.6
    extra_mean: float = 0.8
    burst_share: float = 0.002
    burst_size: int = 30
    burst_minutes: int = 60
    same_place_other_problem: float = 0.06
    next_door: float = 0.06
    recurrence: float = 0.05
    # Hours after the incident's first report within which its other reports arrive (exponential
    # mean, capped so that every report falls inside the engine's open window).
    spread_hours: float = 6.0
    max_spread_hours: float = 60.0
    close_after_hours: float = 24.0
    recur_after_days: tuple[float, float] = (1.0, 20.0)
    channels: tuple[tuple[str, float], ...] = (
        ("grid", 0.40),
        ("hotline", 0.30),
        ("app", 0.15),
        ("wechat", 0.10),
        ("web", 0.05),
    )
    hint_share: float = 0.10  # grid reports that carry the worker's category code
    compound_share: float = 0.3  # places named by residential compound and building, not road and number
    # Share of each channel's reports that carry the reporter's GPS position (the grid worker's patrol
    # app records it; a hotline clerk never has one), and the position's error (metres, per axis).
    gps: tuple[tuple[str, float], ...] = (
        ("grid", 0.8),
        ("hotline", 0.0),
        ("app", 0.5),
        ("wechat", 0.2),
        ("web", 0.0),
    )
    gps_error_m: float = 15.0


# Problems: (category, keyword for humans, paraphrases). Paraphrases of one problem describe the same
# thing in different words; two problems of one category are different incidents.
PROBLEMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "dispute",
        "邻里噪音纠纷",
        (
            "楼上楼下因为噪音问题吵架，双方闹得很僵",
            "邻里之间因噪音起了纠纷，需要调解",
            "楼上天天半夜拖椅子，上门沟通反而吵起来了",
            "邻居矛盾激化，两家人在楼道里争执",
        ),
    ),
    (
        "dispute",
        "漏水纠纷",
        (
            "楼上卫生间漏水到楼下，两家协商不成发生纠纷",
            "因为漏水赔偿问题邻里闹翻了，要求调解",
            "楼上渗水把我家天花板泡坏了，对方不肯修",
            "漏水纠纷调处未果，双方各执一词",
        ),
    ),
    (
        "public_security",
        "电瓶被盗",
        (
            "车棚里电瓶车电瓶被盗，好几辆都被撬了",
            "电动车电瓶被偷，怀疑有人专门撬锁",
            "晚上停的电瓶车电瓶没了，车棚锁被撬",
            "发生电瓶被盗案件，车棚监控坏了",
        ),
    ),
    (
        "public_security",
        "聚众赌博",
        (
            "有人在棋牌室聚众赌博，进出人员复杂",
            "晚上经常有一伙人赌钱到凌晨",
            "疑似有人聚众赌博，赌注不小",
            "棚屋里天天有人打牌赌钱，存在治安隐患",
        ),
    ),
    (
        "petition",
        "拆迁补偿",
        (
            "拆迁安置补偿款迟迟没有到位，村民要求说法",
            "对拆迁补偿标准有异议，多次反映无果",
            "征收补偿款被拖着不给，要求信访处理",
            "拆迁安置房一直没落实，群众意见很大",
        ),
    ),
    (
        "petition",
        "村务公开",
        (
            "村里账目不公开，村民要求查账",
            "村务公开不到位，怀疑集体资产被侵占",
            "要求村里公开集体资产收支情况",
            "村干部优亲厚友，村务不公开",
        ),
    ),
    (
        "special_population",
        "精神障碍",
        (
            "有一名精神障碍患者情绪不稳定，在楼道大喊大叫",
            "精神病人最近没吃药，家属管不住",
            "邻居精神有问题，经常砸东西，担心肇事肇祸",
            "精神异常人员在路上追打行人",
        ),
    ),
    (
        "special_population",
        "社区矫正",
        (
            "社区矫正对象近期未按时报到，疑似脱管",
            "矫正对象最近联系不上，存在漏管风险",
            "刑满释放人员无固定住所，需要安置帮教",
            "刑释人员回来后没人管，需要帮教",
        ),
    ),
    (
        "rental_housing",
        "群租房",
        (
            "出租房被隔成十几个隔间，群租现象严重",
            "二房东把房子隔断出租，住了二十多人",
            "群租房人员进出频繁，隔间里住满了租客",
            "房东把一套房隔成好几间群租",
        ),
    ),
    (
        "rental_housing",
        "流动人口未登记",
        (
            "出租房屋租客未办理居住登记",
            "新来的租户没有做流动人口登记",
            "出租屋住了外来人口，房东没报居住信息",
            "外来人员租住未登记，居住证也没办",
        ),
    ),
    (
        "fire_safety",
        "楼道充电",
        (
            "有人在楼道里给电瓶车充电，飞线充电很危险",
            "楼道里私拉电线给电动车充电，存在火灾隐患",
            "电瓶车推进楼道充电，电线从窗户拉下来",
            "飞线充电现象严重，楼道堆满电动车",
        ),
    ),
    (
        "fire_safety",
        "消防通道堵塞",
        (
            "消防通道被杂物和车辆堵死，消防车进不来",
            "疏散通道堆满杂物，安全出口被锁",
            "楼道堆物严重，消防通道完全堵住",
            "消防通道长期被占用，存在消防隐患",
        ),
    ),
    (
        "work_safety",
        "工地无防护",
        (
            "工地高空作业不系安全带，脚手架没有防护",
            "施工现场工人不戴安全帽，违章作业",
            "脚手架搭得歪歪扭扭，高空作业没有防护措施",
            "工地临时用电乱接，安全生产隐患大",
        ),
    ),
    (
        "work_safety",
        "危化品存放",
        (
            "小作坊里堆放危险化学品，没有任何防护",
            "厂房里危化品随意存放，气味刺鼻",
            "企业违规存放危险化学品，存在安全生产隐患",
            "仓库里危化品和杂物混放",
        ),
    ),
    (
        "food_drug",
        "食物中毒",
        (
            "在饭店吃完饭后好几个人上吐下泻，怀疑食物中毒",
            "吃了外卖后全家拉肚子呕吐",
            "集体聚餐后多人腹泻，怀疑食品安全问题",
            "饭店后厨卫生很差，吃坏肚子了",
        ),
    ),
    (
        "food_drug",
        "过期食品",
        (
            "超市在卖过期食品，保质期都过了",
            "小店销售三无食品和过期零食",
            "买到的面包已经发霉变质，超过保质期",
            "商店货架上有过期食品在售",
        ),
    ),
    (
        "unlicensed_business",
        "无证经营",
        (
            "有家店没有营业执照一直在经营",
            "无证无照经营的小作坊，卫生条件很差",
            "路边开了一家无照经营的小吃店",
            "黑作坊无证经营，晚上偷偷开工",
        ),
    ),
    (
        "unlicensed_business",
        "黑网吧",
        (
            "居民楼里开了黑网吧，未成年人进出",
            "有人开无证网吧，通宵营业",
            "黑网吧里全是学生，也没有执照",
            "地下室里的网吧没有经营证照",
        ),
    ),
    (
        "product_quality",
        "电梯故障",
        (
            "电梯经常故障停运，有人被困在里面",
            "电梯运行时异响抖动，检验标志过期",
            "电梯坏了好几天没人修，老人上下楼困难",
            "电梯突然下坠停在两层之间，维保不到位",
        ),
    ),
    (
        "product_quality",
        "假冒伪劣",
        (
            "商店在卖假冒伪劣产品，质量很差",
            "买到的电线电缆是劣质产品，不是铜芯",
            "店里卖三无产品，没有厂名厂址",
            "销售假冒名牌商品，产品质量不合格",
        ),
    ),
    (
        "consumer_rights",
        "预付卡跑路",
        (
            "健身房办了预付卡，现在关门跑路了不退钱",
            "理发店办的会员卡突然不能用了，要求退款",
            "培训机构收了学费关门，不给退费",
            "预付卡商家失联，消费者要求维权",
        ),
    ),
    (
        "consumer_rights",
        "价格欺诈",
        (
            "商家价格欺诈，结账时多收钱",
            "店里没有明码标价，结账时宰客",
            "标价和结账价格不一致，商家拒绝退款",
            "强制消费，不买就不让走",
        ),
    ),
    (
        "sanitation",
        "垃圾满溢",
        (
            "垃圾桶满溢，垃圾散落一地",
            "垃圾桶满了好几天没人清运",
            "垃圾堆满了臭气熏天，没有人来收",
            "生活垃圾没有及时清运，桶边堆满垃圾",
        ),
    ),
    (
        "sanitation",
        "小广告",
        (
            "墙上贴满了小广告，牛皮癣很难看",
            "到处乱张贴小广告，影响市容",
            "电线杆和墙面被乱涂乱画，贴满牛皮癣",
            "楼道里小广告贴得到处都是",
        ),
    ),
    (
        "illegal_construction",
        "违章搭建",
        (
            "楼顶私自搭建彩钢房，属于违章建筑",
            "有住户在屋顶加盖一层，违法建设",
            "一楼住户在院子里违章搭建阳光房",
            "有人未批先建，正在搭钢棚",
        ),
    ),
    (
        "illegal_construction",
        "外扩违建",
        (
            "店铺往外扩建占了公共绿地，是违建",
            "有户人家把围墙外扩搭了简易房",
            "住户私搭乱建，把阳台外扩了一米多",
            "沿街店面违章外扩，搭了彩钢瓦棚",
        ),
    ),
    (
        "street_vending",
        "占道经营",
        (
            "路边有人摆摊占道经营，行人只能走车道",
            "流动摊贩在人行道上摆地摊，堵住了路",
            "商户出店经营，把货物摆到人行道上",
            "早上马路菜场占道卖菜，交通很乱",
        ),
    ),
    (
        "street_vending",
        "夜宵摊",
        (
            "晚上烧烤摊占道经营，油烟很大",
            "夜宵摊摆到路边，桌椅占满人行道",
            "露天烧烤摊一直摆到凌晨，占道又扰民",
            "夜里路边摊占道，垃圾满地",
        ),
    ),
    (
        "pollution",
        "夜间施工噪音",
        (
            "工地夜间施工噪音太大，吵得睡不着",
            "半夜还在打桩，噪声扰民严重",
            "晚上十一点以后还在施工，机器轰鸣",
            "夜间施工扰民，凌晨还有噪音",
        ),
    ),
    (
        "pollution",
        "餐饮油烟",
        (
            "饭店油烟直排，熏得窗户都不敢开",
            "餐馆油烟没有净化直接排放，味道刺鼻",
            "楼下饭店排油烟管对着居民窗户",
            "餐饮店油烟扰民，屋里全是油烟味",
        ),
    ),
    (
        "waterways",
        "河道垃圾",
        (
            "河道里漂浮物很多，垃圾没人打捞",
            "河面上有大量垃圾和水葫芦",
            "河道保洁不到位，河面上漂着垃圾",
            "河里漂满了塑料瓶和生活垃圾",
        ),
    ),
    (
        "waterways",
        "河水黑臭",
        (
            "河水发黑发臭，怀疑有人偷排污水",
            "河道黑臭，排污口一直往外排废水",
            "河水变黑，臭味很大，可能有排污",
            "内河水质很差，发黑发臭",
        ),
    ),
    (
        "municipal_facilities",
        "井盖缺失",
        (
            "路上窨井盖缺失，很容易掉下去",
            "井盖破损塌陷，电瓶车差点摔倒",
            "人行道上检查井盖松动，踩上去会翻",
            "马路中间井盖不见了，很危险",
        ),
    ),
    (
        "municipal_facilities",
        "路灯不亮",
        (
            "路灯坏了好几天不亮，晚上很黑",
            "整条路的路灯都不亮，行人看不清",
            "路灯晚上不亮，夜里出行不安全",
            "这一段路灯一直不亮，没人修",
        ),
    ),
    (
        "municipal_facilities",
        "爆管",
        (
            "自来水管爆裂，路面大量积水",
            "地下水管爆了，水冒出来半米高",
            "供水管破裂，路上全是水，车都过不去",
            "马路上水管爆管，积水一大片",
        ),
    ),
    (
        "traffic_order",
        "违章停车",
        (
            "车辆违章停车堵住了小区出入口",
            "门口长期有车乱停，占用消防车道",
            "人行道上停满了车，违停严重",
            "有辆车违停好几天，挡住了路口",
        ),
    ),
    (
        "traffic_order",
        "僵尸车",
        (
            "路边一辆僵尸车停了几个月没人挪",
            "有辆报废车长期停在路边，积满灰尘",
            "僵尸车占着车位很久了，轮胎都瘪了",
            "路边停着一辆没牌照的僵尸车",
        ),
    ),
    (
        "social_assistance",
        "独居老人",
        (
            "独居老人生活困难，没人照顾",
            "孤寡老人身体不好，需要临时救助",
            "空巢老人家里断粮了，希望民政帮忙",
            "有位独居老人生病没人管，生活无着落",
        ),
    ),
    (
        "social_assistance",
        "低保申请",
        (
            "家庭困难想申请低保，不知道怎么办",
            "因病致贫，希望申请临时救助",
            "困难家庭申请低保一直没批下来",
            "低收入家庭申请救助被拒，要求复核",
        ),
    ),
    (
        "labour_security",
        "拖欠工资",
        (
            "老板拖欠工资三个月了，工人讨薪无门",
            "工地包工头拖欠农民工工资",
            "公司欠薪不发，老板失联了",
            "干了半年活工钱一直没结，要求讨薪",
        ),
    ),
    (
        "labour_security",
        "不签合同",
        (
            "公司不签劳动合同，也不交社保",
            "单位不给缴社会保险，还随意辞退",
            "上班一年了没签劳动合同，被辞退没有补偿",
            "用人单位不缴社保，加班也没有工资",
        ),
    ),
    (
        "health_education",
        "无证行医",
        (
            "有人在出租房里无证行医，给人打针输液",
            "小诊所非法行医，没有执业证",
            "黑诊所无证行医，病人很多",
            "有个游医在摆摊看病，疑似非法行医",
        ),
    ),
    (
        "health_education",
        "校外培训",
        (
            "有机构违规开展学科类培训，周末上课",
            "校外培训机构偷偷补课，违反双减",
            "小区里有人办学科类培训班",
            "违规学科类培训在居民楼里开班",
        ),
    ),
    (
        "consultation",
        "加装电梯",
        (
            "咨询老旧小区加装电梯的政策和补贴",
            "想了解加装电梯怎么申请",
            "老小区加装电梯需要哪些手续",
            "询问加装电梯的办事指南",
        ),
    ),
    (
        "consultation",
        "公积金",
        (
            "咨询公积金提取需要什么材料",
            "想问一下公积金贷款的办理流程",
            "公积金怎么提取用来还房贷",
            "咨询住房公积金缴存的政策",
        ),
    ),
)

# A burst needs something many people see at once.
BURST_PROBLEMS = tuple(
    i for i, p in enumerate(PROBLEMS) if p[1] in ("爆管", "消防通道堵塞", "夜间施工噪音", "河水黑臭")
)

# Channel voices: {a} is the address as the reporter says it (may be empty), {p} the problem.
VOICES: dict[str, tuple[str, ...]] = {
    "grid": (
        "巡查发现{a}{p}，已拍照上报。",
        "网格员巡查时发现{a}{p}，请相关部门处置。",
        "走访发现{a}{p}。",
        "日常巡查发现：{a}{p}，需协调处理。",
    ),
    "hotline": (
        "来电人反映{a}{p}，请求尽快处理。",
        "市民来电称{a}{p}，希望有关部门处理。",
        "来电人反映：{a}{p}，要求核实处理。",
        "来电人称{a}{p}，请尽快安排人员。",
    ),
    "app": (
        "{a}{p}，麻烦管一管！",
        "我家这边{a}{p}，好几天了没人管",
        "我想反映一下，{a}{p}，请尽快处理",
        "{a}{p}，我已经受不了了",
    ),
    "wechat": (
        "{a}这里{p}，谁来管一下",
        "群里问一下，{a}{p}，有人知道找谁吗",
        "各位邻居，{a}{p}",
        "{a}{p}，网格员看一下",
    ),
    "web": (
        "本人反映{a}{p}，望有关部门重视。",
        "我要反映一个问题：{a}{p}。",
        "{a}{p}，恳请相关部门处理为盼。",
        "反映{a}{p}，请给予答复。",
    ),
}
NEAR = ("门口", "对面", "旁边", "附近", "楼下", "这边")
DIRECTIONS = ("东", "西", "南", "北", "中")
COMPOUND_SUFFIXES = ("小区", "花园", "新村", "家园")

_CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """0 < n < 10000 in Chinese numerals as people write house numbers: 168 → 一百六十八, 12 → 十二."""
    if not 0 < n < 10000:
        raise ValueError(f"n={n}: house numbers are 1..9999")
    out: list[str] = []
    units = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
    zero = False
    for value, name in units:
        d = (n // value) % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        if not (value == 10 and d == 1 and not out):
            out.append(_CN_DIGITS[d])
        out.append(name)
    return "".join(out)


@dataclass(frozen=True)
class _Community:
    county: str
    town: str
    town_short: str
    name: str
    short: str


@lru_cache(maxsize=4)
def _communities(path: str) -> tuple[_Community, ...]:
    names: dict[str, tuple[str, str, str, str]] = {}  # code -> level, parent, name, short
    with open(path, encoding="utf-8-sig", newline="") as fh:  # a BOM is not data
        lines = (line for line in fh if not line.startswith("#"))
        # By the header's names: a gazetteer may have lat and lon columns too (it raised ValueError).
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
            names[row["code"]] = (row["level"], row["parent"], row["name"], row["short"] or row["name"])
    out = []
    for level, parent, name, short in names.values():
        if level != "community":
            continue
        _, county_code, town, town_short = names[parent]
        out.append(_Community(names[county_code][2], town, town_short, name, short))
    # Short names of one or two characters are too ambiguous to build roads from; keep the rest.
    return tuple(c for c in out if len(c.short) >= 2)


@dataclass
class Batch:
    """One day of the stream: reports in time order, their truth, and the incidents closed that day.

    Report columns are parallel lists (fast to build, fast to turn into a table); :meth:`reports`
    gives them as dicts for ``Engine.submit_many``. ``time`` is seconds since the epoch (an int the
    engine accepts as is); ``event`` is the true incident id, ``recurrence_of`` the incident a
    recurrence's first report links to (``""`` otherwise), ``kind`` one of :data:`KINDS`.
    """

    day: int
    id: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    address: list[str] = field(default_factory=list)
    time: list[int] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    category_hint: list[str | None] = field(default_factory=list)
    lat: list[float | None] = field(default_factory=list)  # the reporter's GPS position, None for none
    lon: list[float | None] = field(default_factory=list)
    event: list[str] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    recurrence_of: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    closes: list[tuple[str, int]] = field(default_factory=list)  # (true event id, close time), in time order

    def __len__(self) -> int:
        return len(self.id)

    def reports(self) -> list[dict[str, Any]]:
        """The reports as dicts (``id``, ``text``, ``address``, ``time``, ``source`` and, for some grid
        reports, ``category``; ``lat`` and ``lon`` for those with a position)."""
        out = []
        lat = self.lat or [None] * len(self.id)
        lon = self.lon or [None] * len(self.id)
        for rid, text, address, t, source, hint, la, lo in zip(
            self.id, self.text, self.address, self.time, self.source, self.category_hint, lat, lon,
            strict=True,
        ):
            r: dict[str, Any] = {"id": rid, "text": text, "address": address, "time": t, "source": source}
            if hint is not None:
                r["category"] = hint
            if la is not None:
                r["lat"] = la
                r["lon"] = lo
            out.append(r)
        return out

    def truth(self) -> list[dict[str, Any]]:
        """Per report: ``id``, ``event``, ``category``, ``recurrence_of``, ``kind``."""
        return [
            {"id": rid, "event": e, "category": c, "recurrence_of": rec, "kind": k}
            for rid, e, c, rec, k in zip(
                self.id, self.event, self.category, self.recurrence_of, self.kind, strict=True
            )
        ]


_START = "2026-11-01T00:00:00+08:00"  # generate()'s default first midnight


def _epoch(start: str) -> int:
    day = datetime.fromisoformat(start)
    if day.tzinfo is None:
        day = day.replace(tzinfo=TZ)
    return int(day.timestamp())


# Share of first reports per hour of the day (reports cluster in the working day and the evening).
_HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 8, 7, 8, 9, 9, 9, 8, 7, 7, 6, 5, 3, 2], dtype=float
)
_HOUR_WEIGHTS /= _HOUR_WEIGHTS.sum()


def generate(
    *,
    days: int = 7,
    reports_per_day: int = 2000,
    seed: int = 0,
    start: str = _START,
    mix: Mix | None = None,
    gazetteer: str | Path | None = None,
) -> Iterator[Batch]:
    """Yield one :class:`Batch` per day, reports in time order.

    Parameters
    ----------
    days, reports_per_day : int
        Length of the stream and its mean daily volume (the realised count varies a little).
    seed : int
        The stream is a pure function of all arguments; use different seeds for train and test.
    start : str
        ISO date-time of the first day's midnight (UTC+8 when no offset is given).
    mix : Mix, optional
        Proportions; :class:`Mix` defaults are the default mix.
    gazetteer : path, optional
        The gazetteer TSV whose communities the places are drawn from (the bundled Ningbo one).
    """
    require_int("days", days, 0)
    require_int("reports_per_day", reports_per_day, 0)
    require_int("seed", seed, 0)
    mix = mix or Mix()
    gazetteer_path = str(gazetteer or default_gazetteer_path())
    communities = _world(gazetteer_path)[0]
    rng = np.random.Generator(np.random.PCG64(seed))
    # Positions are drawn from a stream of their own, so that the rest of a seed's stream is what it was
    # before positions existed.
    geo_rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0x67656F])))
    gps_p = dict(mix.gps)
    gps_share = np.array([gps_p.get(c, 0.0) for c in (c for c, _ in mix.channels)], dtype=float)
    try:
        t0 = _epoch(start)
    except (TypeError, ValueError):
        raise ValueError(f"start={excerpt(start)}: expected an ISO 8601 date-time, e.g. {_START}") from None
    mean_size = (1 - mix.burst_share) * (mix.single + (1 - mix.single) * (2 + mix.extra_mean)) + (
        mix.burst_share * mix.burst_size
    )
    n_problems = len(PROBLEMS)
    problem_category = np.array([CATEGORY_INDEX[p[0]] for p in PROBLEMS])
    channel_names = [c for c, _ in mix.channels]
    channel_p = np.array([w for _, w in mix.channels], dtype=float)
    channel_p /= channel_p.sum()
    n_communities = len(communities)

    next_event = 0
    next_report = 0
    # Carried between days: pending reports (as arrays) and pending closes, and recurrences to come.
    carry: dict[str, np.ndarray] = {}
    carry_closes = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    pending_recurrences: dict[str, np.ndarray] = {}

    for day in range(days):
        day_start = t0 + day * DAY
        day_end = day_start + DAY
        # -- incidents opened today ------------------------------------------------------------
        n = int(rng.poisson(reports_per_day / mean_size)) if reports_per_day else 0
        start_t = day_start + rng.choice(24, size=n, p=_HOUR_WEIGHTS) * HOUR + rng.integers(0, HOUR, size=n)
        start_t.sort()
        problem = rng.integers(0, n_problems, size=n)
        comm = rng.integers(0, n_communities, size=n)
        road = rng.integers(0, 2, size=n)
        number = rng.integers(1, 200, size=n) * 2 + rng.integers(0, 2, size=n)
        building = rng.integers(1, 30, size=n)
        compound_place = rng.random(n) < mix.compound_share
        kind = np.zeros(n, np.int64)
        parent = np.full(n, -1, np.int64)
        # Hard negatives copy the place of an earlier incident of the day (still open: its reports
        # span hours) and change the problem (same place) or the number (next door).
        u = rng.random(n)
        hard_same = u < mix.same_place_other_problem
        hard_next = (u >= mix.same_place_other_problem) & (u < mix.same_place_other_problem + mix.next_door)
        earlier = np.floor(rng.random(n) * np.arange(n)).astype(np.int64)  # an index < i (0 for i == 0)
        for mask, k in ((hard_same, 1), (hard_next, 2)):
            idx = np.nonzero(mask & (np.arange(n) > 0))[0]
            src = earlier[idx]
            comm[idx], road[idx], number[idx], building[idx] = (
                comm[src],
                road[src],
                number[src],
                building[src],
            )
            compound_place[idx] = compound_place[src]
            kind[idx] = k
            parent[idx] = src  # local index, only for the copy; not a truth link
        same_idx = np.nonzero(kind == 1)[0]
        shift = rng.integers(1, n_problems, size=same_idx.size)
        problem[same_idx] = (problem[earlier[same_idx]] + shift) % n_problems
        # different category, not just a different wording of the same category
        clash = problem_category[problem[same_idx]] == problem_category[problem[earlier[same_idx]]]
        problem[same_idx[clash]] = (problem[same_idx[clash]] + 2) % n_problems
        next_idx = np.nonzero(kind == 2)[0]
        problem[next_idx] = problem[earlier[next_idx]]
        step = rng.choice(np.array([-4, -2, 2, 4]), size=next_idx.size)
        number[next_idx] = np.maximum(1, number[earlier[next_idx]] + step)
        building[next_idx] = np.maximum(1, building[earlier[next_idx]] + step // 2)
        # Bursts.
        burst = rng.random(n) < mix.burst_share
        if BURST_PROBLEMS:
            problem[burst] = np.array(BURST_PROBLEMS)[
                rng.integers(0, len(BURST_PROBLEMS), size=int(burst.sum()))
            ]
        kind[burst] = 4
        recur_of = np.full(n, -1, np.int64)

        # Recurrences due today join the day's incidents.
        if pending_recurrences:
            due = pending_recurrences["start"] < day_end
            if due.any():
                take = {k: v[due] for k, v in pending_recurrences.items()}
                pending_recurrences = {k: v[~due] for k, v in pending_recurrences.items()}
                start_t = np.concatenate([start_t, take["start"]])
                problem = np.concatenate([problem, take["problem"]])
                comm = np.concatenate([comm, take["comm"]])
                road = np.concatenate([road, take["road"]])
                number = np.concatenate([number, take["number"]])
                building = np.concatenate([building, take["building"]])
                compound_place = np.concatenate([compound_place, take["compound"]])
                kind = np.concatenate([kind, np.full(take["start"].size, 3)])
                burst = np.concatenate([burst, np.zeros(take["start"].size, bool)])
                recur_of = np.concatenate([recur_of, take["event"]])
                n = start_t.size
        event_id = next_event + np.arange(n, dtype=np.int64)
        next_event += n

        # -- reports of each incident ----------------------------------------------------------
        size = np.where(
            rng.random(n) < mix.single, 1, 2 + rng.geometric(1 / (1 + mix.extra_mean), size=n) - 1
        )
        size = np.where(burst, mix.burst_size, size)
        inc = np.repeat(np.arange(n), size)
        first = np.zeros(inc.size, bool)
        first[np.concatenate([[0], np.cumsum(size)[:-1]])] = True if n else False
        offset = np.minimum(
            rng.exponential(mix.spread_hours * HOUR, size=inc.size), mix.max_spread_hours * HOUR
        )
        offset = np.where(burst[inc], rng.integers(0, mix.burst_minutes * 60, size=inc.size), offset)
        offset = np.where(first, 0, offset).astype(np.int64)
        r_time = start_t[inc] + offset
        last = np.zeros(n, np.int64)
        np.maximum.at(last, inc, r_time)
        close_t = last + 2 * HOUR + rng.exponential(mix.close_after_hours * HOUR, size=n).astype(np.int64)
        # Some incidents come back after they were closed.
        recurs = rng.random(n) < mix.recurrence
        lo, hi = mix.recur_after_days
        rec_start = close_t + (rng.uniform(lo, hi, size=n) * DAY).astype(np.int64)
        idx = np.nonzero(recurs)[0]
        new_pending = {
            "start": rec_start[idx],
            "problem": problem[idx],
            "comm": comm[idx],
            "road": road[idx],
            "number": number[idx],
            "building": building[idx],
            "compound": compound_place[idx],
            "event": event_id[idx],
        }
        pending_recurrences = (
            {k: np.concatenate([pending_recurrences[k], v]) for k, v in new_pending.items()}
            if pending_recurrences
            else new_pending
        )

        m = inc.size
        report_cols = {
            "time": r_time,
            "event": event_id[inc],
            "problem": problem[inc],
            "comm": comm[inc],
            "road": road[inc],
            "number": number[inc],
            "building": building[inc],
            "kind": kind[inc],
            "recur": np.where(first, recur_of[inc], -1),
            "channel": np.where(
                burst[inc],
                rng.choice(np.array([1, 2, 3]), size=m),
                rng.choice(len(channel_names), size=m, p=channel_p),
            ),
            "voice": rng.integers(0, 4, size=m),
            "para": rng.integers(0, 4, size=m),
            "variant": np.where(
                compound_place[inc],
                7 + rng.choice(_COMPOUND_P.size, size=m, p=_COMPOUND_P),
                rng.choice(_STREET_P.size, size=m, p=_STREET_P),
            ),
            "near": rng.integers(0, len(NEAR), size=m),
            "mention": rng.random(m),
            "hint": rng.random(m),
        }
        if carry:
            report_cols = {k: np.concatenate([carry[k], v]) for k, v in report_cols.items()}
        order = np.argsort(report_cols["time"], kind="stable")
        report_cols = {k: v[order] for k, v in report_cols.items()}
        today = report_cols["time"] < day_end
        carry = {k: v[~today] for k, v in report_cols.items()}
        emit = {k: v[today] for k, v in report_cols.items()}

        close_ev = np.concatenate([carry_closes[0], event_id])
        close_time = np.concatenate([carry_closes[1], close_t])
        corder = np.argsort(close_time, kind="stable")
        close_ev, close_time = close_ev[corder], close_time[corder]
        ctoday = close_time < day_end
        carry_closes = (close_ev[~ctoday], close_time[~ctoday])

        batch = Batch(day=day)
        _assemble(batch, emit, communities, channel_names, mix, next_report, gazetteer_path)
        batch.lat, batch.lon = _positions(emit, gps_share, mix.gps_error_m, geo_rng, gazetteer_path)
        next_report += len(batch)
        batch.closes = [
            (f"T{e:08d}", t)
            for e, t in zip(close_ev[ctoday].tolist(), close_time[ctoday].tolist(), strict=True)
        ]
        yield batch


CATEGORY_INDEX = {c: i for i, c in enumerate(dict.fromkeys(p[0] for p in PROBLEMS))}
CATEGORIES = tuple(CATEGORY_INDEX)

# Address variants and how often reporters use them (see _assemble): 0-6 for a street place, 7-12 for a
# compound place.
_STREET_P = np.array([0.16, 0.30, 0.10, 0.10, 0.16, 0.12, 0.06])
_STREET_P /= _STREET_P.sum()
_COMPOUND_P = np.array([0.20, 0.30, 0.20, 0.10, 0.12, 0.08])
_COMPOUND_P /= _COMPOUND_P.sum()


def _roads(c: _Community) -> tuple[str, str]:
    # The community's own road, and a town road shared by the town's communities.
    d = DIRECTIONS[sum(map(ord, c.town_short)) % len(DIRECTIONS)]
    return c.short + "路", c.town_short + d + "路"


def _compound(c: _Community) -> str:
    return c.short + COMPOUND_SUFFIXES[sum(map(ord, c.short)) % len(COMPOUND_SUFFIXES)]


@lru_cache(maxsize=4)
def _world(path: str) -> tuple[tuple[_Community, ...], tuple[tuple[str, str], ...], tuple[str, ...]]:
    communities = _communities(path)
    return communities, tuple(_roads(c) for c in communities), tuple(_compound(c) for c in communities)


_METRES_PER_DEGREE = 111_320.0


@lru_cache(maxsize=4)
def _map(path: str) -> dict[str, np.ndarray]:
    """The invented map (see the module docstring): per community its centroid (degrees), its two
    roads' directions and its compound's centre. Fixed, whatever the seed."""
    n = len(_communities(path))
    g = np.random.Generator(np.random.PCG64(20261204))
    return {
        "lat": g.uniform(29.4, 30.2, n),
        "lon": g.uniform(121.0, 122.0, n),
        "road_angle": g.uniform(0, np.pi, (n, 2)),
        "compound_angle": g.uniform(0, 2 * np.pi, n),
    }


def _positions(
    cols: dict[str, np.ndarray], gps_share: np.ndarray, error_m: float, rng: np.random.Generator, path: str
) -> tuple[list[float | None], list[float | None]]:
    """Each report's GPS position on the invented map, or None (by its channel's share)."""
    m = cols["time"].size
    geo = _map(path)
    comm, road, number, building = cols["comm"], cols["road"], cols["number"], cols["building"]
    compound = cols["variant"] >= 7
    angle = geo["road_angle"][comm, road]
    # Street places: the second road starts 400 m off the first; numbers every 6 m, sides 24 m apart.
    side = np.where(number % 2 == 1, 12.0, -12.0)
    east = road * 400.0 * np.cos(angle + np.pi / 2) + number * 6.0 * np.cos(angle) - side * np.sin(angle)
    north = road * 400.0 * np.sin(angle + np.pi / 2) + number * 6.0 * np.sin(angle) + side * np.cos(angle)
    # Compound places: 250 m from the centroid, buildings on a grid six wide, 35 m apart.
    phi = geo["compound_angle"][comm]
    col, row = (building - 1) % 6, (building - 1) // 6
    east = np.where(compound, 250.0 * np.cos(phi) + col * 35.0, east)
    north = np.where(compound, 250.0 * np.sin(phi) + row * 35.0, north)
    has = rng.random(m) < gps_share[cols["channel"]]
    east = east + rng.normal(0.0, error_m, m)
    north = north + rng.normal(0.0, error_m, m)
    lat = geo["lat"][comm] + north / _METRES_PER_DEGREE
    lon = geo["lon"][comm] + east / (_METRES_PER_DEGREE * np.cos(np.radians(geo["lat"][comm])))
    lats = [round(v, 6) if h else None for v, h in zip(lat.tolist(), has.tolist(), strict=True)]
    lons = [round(v, 6) if h else None for v, h in zip(lon.tolist(), has.tolist(), strict=True)]
    return lats, lons


def _split_voice(template: str) -> tuple[str, str, str]:
    head, rest = template.split("{a}")
    mid, tail = rest.split("{p}")
    return head, mid, tail


_VOICE_PARTS = {channel: tuple(_split_voice(t) for t in templates) for channel, templates in VOICES.items()}


def _assemble(
    batch: Batch,
    cols: dict[str, np.ndarray],
    communities: tuple[_Community, ...],
    channel_names: list[str],
    mix: Mix,
    first_report: int,
    gazetteer: str,
) -> None:
    """Turns the drawn columns into strings (the only per-report Python loops)."""
    _, roads, compounds = _world(gazetteer)
    voices = [_VOICE_PARTS[c] for c in channel_names]
    paras = [p[2] for p in PROBLEMS]
    cats = [p[0] for p in PROBLEMS]
    cn_cache: dict[int, str] = {}
    m = cols["time"].size
    batch.time = cols["time"].tolist()
    batch.id = [f"R{i:09d}" for i in range(first_report, first_report + m)]
    problems = cols["problem"].tolist()
    channels = cols["channel"].tolist()
    batch.source = [channel_names[c] for c in channels]
    batch.category = [cats[p] for p in problems]
    batch.event = [f"T{e:08d}" for e in cols["event"].tolist()]
    batch.recurrence_of = [f"T{e:08d}" if e >= 0 else "" for e in cols["recur"].tolist()]
    batch.kind = [KINDS[k] for k in cols["kind"].tolist()]
    hinted = (
        ((cols["hint"] < mix.hint_share) & (cols["channel"] == channel_names.index("grid"))).tolist()
        if "grid" in channel_names
        else [False] * m
    )
    batch.category_hint = [c if h else None for c, h in zip(batch.category, hinted, strict=True)]
    texts = batch.text
    addresses = batch.address
    for prob, cm, rd, num, bld, ch, vc, pa, var, nr, mention in zip(
        problems,
        cols["comm"].tolist(),
        cols["road"].tolist(),
        cols["number"].tolist(),
        cols["building"].tolist(),
        channels,
        cols["voice"].tolist(),
        cols["para"].tolist(),
        cols["variant"].tolist(),
        cols["near"].tolist(),
        cols["mention"].tolist(),
        strict=True,
    ):
        c = communities[cm]
        # The address field as the channel's form or clerk records it: a street place (road + number)
        # or a compound place (compound + building), each in the ways people write it.
        if var < 7:
            road = roads[cm][rd]
            exact = f"{road}{num}号"
            if var == 1:
                address = exact
            elif var == 0:
                address = f"{c.county}{c.town}{c.name}{exact}"
            elif var == 2:
                cn = cn_cache.get(num)
                if cn is None:
                    cn = cn_cache[num] = chinese_number(num)
                address = f"{road}{cn}号"
            elif var == 3:
                address = c.town + exact
            elif var == 4:
                address = exact + NEAR[nr]
            elif var == 5:
                address = c.name + road
            else:
                address = ""
            vague = road + NEAR[nr]
        else:
            compound = compounds[cm]
            exact = f"{compound}{bld}幢"
            if var == 8:
                address = exact
            elif var == 7:
                address = f"{c.county}{c.town}{c.name}{exact}"
            elif var == 9:
                address = exact + NEAR[nr]
            elif var == 10:
                address = f"{c.county}{compound}{bld}号楼"
            elif var == 11:
                address = c.name + compound
            else:
                address = ""
            vague = compound + NEAR[nr]
        # The text names the place in the reporter's words (always when the address field is empty).
        if not address or mention < 0.2:
            spoken = exact
        elif mention < 0.35:
            spoken = vague
        else:
            spoken = ""
        head, mid, tail = voices[ch][vc]
        texts.append(head + spoken + mid + paras[prob][pa] + tail)
        addresses.append(address)


def iter_reports(**kwargs: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(report, truth) pairs of :func:`generate` (same arguments), one at a time, in time order."""
    for batch in generate(**kwargs):
        yield from zip(batch.reports(), batch.truth(), strict=True)


def iso(t: int) -> str:
    """Seconds since the epoch → ISO 8601 in UTC+8 (the form the JSONL files carry)."""
    return datetime.fromtimestamp(t, TZ).isoformat()


def write_jsonl(batches: Iterator[Batch], reports_path: Path, truth_path: Path | None) -> tuple[int, int]:
    """Writes reports (and truth: report rows, then close rows per day). Returns (reports, closes)."""
    n_reports = n_closes = 0
    with reports_path.open("w", encoding="utf-8") as out:
        truth = truth_path.open("w", encoding="utf-8") if truth_path else None
        try:
            for batch in batches:
                for r in batch.reports():
                    r["time"] = iso(r["time"])
                    out.write(json.dumps(r, ensure_ascii=False) + "\n")
                if truth is not None:
                    for t in batch.truth():
                        truth.write(json.dumps(t, ensure_ascii=False) + "\n")
                    for e, when in batch.closes:
                        truth.write(json.dumps({"close": e, "time": iso(when)}, ensure_ascii=False) + "\n")
                n_reports += len(batch)
                n_closes += len(batch.closes)
        finally:
            if truth is not None:
                truth.close()
    return n_reports, n_closes
