"""Bulk data for the benchmark (``manage.py seed_bench``): a province's volume on top of the demo.

The demo (``seed_demo``) runs first and is left as it is: its deputies, units and accounts see exactly what they
see on a demo-size database. The bulk rows have their own units (``UNITS``), delegations and deputies, and fill
ten past sessions plus the demo's current one (``CURRENT_SHARE`` of them, so the office's current-session pages
have volume), each suggestion with the rows its state implies: assignments (a lead unit, a co-unit for about a
third), the accepted reply with its 文号 and a result class of ``rules.result_classes()``, the deputy's rating
(some unsatisfied and re-handled in a second round), a contact record, about ten events, and the similar-suggestion
index (``search``'s tables). Texts are recombined from topic phrases and sentences, so titles and contents vary.

Rows are written in chunks of ``CHUNK`` suggestions: with PostgreSQL's COPY (psycopg's ``cursor.copy``), else
``bulk_create``; ids are given here (from each table's highest) and the sequences set afterwards, so memory stays
bounded by one chunk. Events are appended only (the trigger forbids changing them). Nothing goes through the
workflow: this is volume for timing pages, not a record of handling.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from . import listsearch, rules, search, tallies
from .models import (
    Assignment,
    Category,
    Commitment,
    CongressSession,
    ContactRecord,
    CoUnitOpinion,
    Delegation,
    Deputy,
    Event,
    HandlingUnit,
    Leader,
    Rating,
    Rehandling,
    Reply,
    SearchDocument,
    SearchTerm,
    Suggestion,
)

CHUNK = 5000
CURRENT_SHARE = 0.1  # of the bulk suggestions in the demo's current session
LONG_TIMELINE_EVENTS = 200
S = Suggestion.State
A = Assignment.State
AUD = Event.Audience

# (term, meeting, year) of the ten past sessions before the demo's 第八届第四次 (2024)
PAST_SESSIONS = (
    [(6, 4, 2014), (6, 5, 2015)]
    + [(7, m, 2015 + m) for m in range(1, 6)]
    + [(8, m, 2020 + m) for m in range(1, 4)]
)
CN = "〇一二三四五六七八九十"

DISTRICTS = ["东城区", "西城区", "南城区", "北城区"]
DEPARTMENTS = [
    ("交通运输局", "交通", "城建交通"),
    ("住房和城乡建设局", "住建", "城建交通"),
    ("自然资源局", "自然资源", "城建交通"),
    ("城市管理局", "城管", "城建交通"),
    ("农业农村局", "农业", "农林水利"),
    ("水利局", "水利", "农林水利"),
    ("林业局", "林业", "农林水利"),
    ("教育局", "教育", "教科文卫"),
    ("卫生健康局", "卫健", "教科文卫"),
    ("文化和旅游局", "文旅", "教科文卫"),
    ("民政局", "民政", "社会民生"),
    ("人力资源和社会保障局", "人社", "社会民生"),
    ("医疗保障局", "医保", "社会民生"),
    ("生态环境局", "生态环境", "经济环保"),
    ("市场监督管理局", "市场监管", "经济环保"),
]
TOWNS = [
    "龙泉镇", "青石镇", "柳林镇", "桃园镇", "杏花乡", "梨园乡", "红岩镇", "白水乡", "金沙镇", "银山乡",
    "松岭镇", "竹溪乡", "梅林镇", "兰亭街道", "荷塘街道", "枫桥街道", "云台街道", "凤鸣街道",
    "古城街道", "新华街道", "长安镇", "永宁乡", "太平镇", "和平乡", "安乐镇", "丰收乡", "大河镇",
    "小河乡", "高庙镇", "石桥乡",
]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "建国华明丽强军平红霞伟芳娟敏静杰涛超刚勇艳秀英桂兰玉梅志文海波宏亮晓东春生德福荣光辉新民振兴立峰晨阳佳慧丹"
WORKPLACES = ["村党支部书记", "社区居委会主任", "中学教师", "卫生院院长", "农业合作社理事长", "企业负责人",
              "个体工商户", "街道办事处干部", "医院医生", "律师事务所律师"]  # fmt: skip

# Topics: (category, title phrases, problem sentences, proposal sentences); {p} is a place.
TOPICS = [
    ("城建交通", ["加快老旧小区供热管网改造", "提高冬季供热质量", "解决{p}居民供暖不达标问题"],
     ["{p}部分小区冬季室温长期低于十八度，居民反映强烈。", "老旧供热管网跑冒滴漏，热损失大，维修不及时。",
      "供热公司客服电话难打通，报修后迟迟无人处理。"],
     ["建议对老旧供热管网分批改造，加装室温监测设备。", "建议建立供热质量投诉快速处理机制，按温度退费。"]),
    ("城建交通", ["优化城区公交线路", "增设{p}公交站点", "延长公交运营时间"],
     ["{p}新建小区和学校周边公交站点少，群众乘车不便。", "部分公交线路绕行严重，发车间隔长，高峰时段拥挤。"],
     ["建议优化公交线路和站点设置，高峰时段加密班次。", "建议开通通往{p}的公交专线，方便群众出行。"]),
    ("城建交通", ["硬化{p}通村道路", "维修破损农村公路", "完善农村公路安全设施"],
     ["{p}通村公路路面破损坑洼，雨天泥泞，车辆通行困难。", "农村公路急弯陡坡缺少护栏和警示标志，事故多发。"],
     ["建议将该路段列入年度农村公路建设计划，尽快硬化。", "建议增设护栏、减速带和警示标志，消除安全隐患。"]),
    ("城建交通", ["规范城区停车管理", "增加{p}停车泊位", "治理占道停车"],
     ["{p}老城区停车位严重不足，车辆乱停乱放，堵塞消防通道。", "医院、学校周边停车难，早晚高峰交通拥堵。"],
     ["建议利用闲置地块建设公共停车场，推行错时共享停车。", "建议加强占道停车执法，施划临时停车泊位。"]),
    ("城建交通", ["推进老旧小区改造", "加装老旧住宅电梯", "整治{p}背街小巷"],
     ["{p}老旧小区房屋年久失修，雨污不分，楼道照明缺失。", "多层老旧住宅没有电梯，老年人上下楼困难。"],
     ["建议将该小区纳入老旧小区改造计划，完善配套设施。", "建议出台加装电梯补助政策，简化审批流程。"]),
    ("农林水利", ["解决{p}农村饮水安全问题", "改造农村供水管网", "保障山区群众饮水"],
     ["{p}部分村庄自来水水压不足，夏季经常停水。", "农村供水管网老化，水质浑浊，群众饮水存在隐患。"],
     ["建议实施农村供水管网改造，建设区域集中供水工程。", "建议定期检测农村饮用水水质并向群众公开。"]),
    ("农林水利", ["加强农田水利设施建设", "修缮{p}灌溉渠道", "提高高标准农田建设标准"],
     ["{p}灌溉渠道年久失修，渗漏严重，农田浇不上水。", "部分机井损坏，抗旱能力弱，粮食产量受影响。"],
     ["建议加大农田水利投入，修缮渠道、更新机井设备。", "建议将该片区纳入高标准农田建设项目。"]),
    ("农林水利", ["扶持{p}特色种植产业", "发展林下经济", "完善农产品销售渠道"],
     ["{p}特色农产品品质好但销路窄，农民增收难。", "农业产业链条短，缺少冷链仓储和深加工企业。"],
     ["建议扶持农民专业合作社，建设冷链仓储设施。", "建议搭建电商销售平台，打造地方农产品品牌。"]),
    ("教科文卫", ["缓解城区学校大班额问题", "新建{p}小学", "改善农村学校办学条件"],
     ["{p}城区小学一个班七八十人，教室拥挤，教学质量受影响。", "农村学校教师流失严重，音体美课程开不齐。"],
     ["建议新建、扩建学校，合理划分学区，化解大班额。", "建议落实乡村教师补贴，完善城乡教师交流机制。"]),
    ("教科文卫", ["加强校园周边交通安全", "治理{p}学校门口拥堵", "设置校园安全护学岗"],
     ["学校门口上下学时段车辆乱停，交通拥堵，学生安全没有保障。", "{p}学校周边缺少人行横道和信号灯。"],
     ["建议在学校周边施划人行横道、增设信号灯和护学岗。", "建议建设学生接送临时停车区，错峰放学。"]),
    ("教科文卫", ["提升基层医疗服务能力", "加强{p}卫生院建设", "解决乡村医生待遇偏低问题"],
     ["{p}卫生院设备陈旧，缺少专业医生，群众看病要跑城里。", "乡村医生收入低、年龄大，后继乏人。"],
     ["建议加大基层医疗投入，推进县域医共体建设。", "建议提高乡村医生补助标准，定向培养基层医生。"]),
    ("教科文卫", ["丰富群众文化生活", "建设{p}全民健身场地", "保护传统村落和文物"],
     ["{p}缺少文化活动场所和健身设施，群众业余生活单调。", "部分传统村落古建筑年久失修，面临损毁。"],
     ["建议建设综合文化服务中心和全民健身广场。", "建议设立文物保护专项资金，开展抢救性修缮。"]),
    ("社会民生", ["完善{p}居家养老服务", "建设社区日间照料中心", "提高农村老人养老补贴"],
     ["{p}空巢老人、失能老人多，居家养老服务跟不上。", "农村养老院床位少，护理人员不足。"],
     ["建议建设社区日间照料中心，推行助餐、助浴服务。", "建议提高高龄津贴标准，扶持民办养老机构。"]),
    ("社会民生", ["加强就业技能培训", "帮扶{p}困难群众就业", "保障农民工工资按时发放"],
     ["{p}返乡农民工和大学毕业生就业渠道窄。", "个别工程项目拖欠农民工工资，维权难。"],
     ["建议开展订单式技能培训，开发公益性岗位。", "建议落实工资保证金制度，建立欠薪快速处置机制。"]),
    ("社会民生", ["提高医保报销比例", "简化{p}医保异地结算手续", "完善大病救助制度"],
     ["慢性病患者门诊报销比例低，药费负担重。", "{p}群众异地就医结算手续繁琐，来回跑腿。"],
     ["建议扩大门诊慢特病报销范围，提高报销比例。", "建议推行异地就医直接结算，实现一站式服务。"]),
    ("社会民生", ["加强食品安全监管", "整治{p}农贸市场环境", "规范校园周边食品经营"],
     ["{p}农贸市场环境脏乱，食品来源不明，存在安全隐患。", "学校周边流动摊贩售卖三无食品。"],
     ["建议加强食品安全抽检，建立溯源体系。", "建议改造提升农贸市场，取缔无证流动摊贩。"]),
    ("经济环保", ["治理{p}河道污染", "加强农村生活污水治理", "推进垃圾分类"],
     ["{p}河道垃圾堆积，生活污水直排，夏季臭味明显。", "农村生活垃圾收运不及时，乱堆乱放现象普遍。"],
     ["建议开展河道综合整治，建设污水收集管网。", "建议完善农村垃圾收运体系，推行分类处理。"]),
    ("经济环保", ["治理工地扬尘污染", "加强{p}大气污染防治", "整治渣土车抛洒"],
     ["{p}建筑工地扬尘大，渣土车抛洒严重，空气质量差。", "部分企业夜间偷排废气，群众反映强烈。"],
     ["建议严格落实工地扬尘防治措施，加强执法检查。", "建议安装在线监测设备，依法查处违法排污。"]),
    ("经济环保", ["优化营商环境", "支持{p}中小企业发展", "解决民营企业融资难问题"],
     ["{p}中小企业融资难、融资贵，审批事项多、周期长。", "部分涉企收费不规范，企业负担重。"],
     ["建议设立中小企业发展基金，推行并联审批。", "建议清理涉企收费，建立政银企对接机制。"]),
    ("经济环保", ["发展{p}乡村旅游", "打造全域旅游示范区", "完善旅游配套设施"],
     ["{p}旅游资源丰富但基础设施落后，游客留不住。", "景区道路、停车场、厕所等配套设施不足。"],
     ["建议编制乡村旅游发展规划，完善配套设施。", "建议整合旅游资源，开发精品旅游线路。"]),
]  # fmt: skip
REPLY_TEXTS = [
    "我单位高度重视，经实地调研，已将所提事项列入年度工作计划，{p}相关问题已基本解决。",
    "经研究，已会同有关部门制定整改方案，正在分步实施，预计年底前完成。",
    "感谢代表的关心和支持。我们已开展专项整治，建立长效管理机制，群众满意度明显提升。",
    "受资金和政策限制，该事项暂不具备实施条件，我们将积极争取上级支持，条件成熟时予以解决。",
]
COMMITMENTS = ["年内完成{p}相关设施改造并向代表反馈", "列入明年重点项目，分两期实施", "三个月内完成整改并组织验收",
               "争取上级资金，年底前开工建设", "建立长效管理机制，每季度向代表通报进展"]  # fmt: skip
CONTACT_SUMMARIES = ["与代表面商办理方案，代表表示认可。", "电话沟通办理进展，听取代表意见。",
                     "陪同代表实地察看，共同研究解决办法。", "召开座谈会，征求代表和群众意见。"]  # fmt: skip


def topics():
    """The texts to recombine: ``TOPICS`` and the demo's own suggestions (fixtures), each with its category."""
    from .demo import _fixture

    out = list(TOPICS)
    for name in ("huozhou_2024.json", "demo_current.json"):
        for entry in _fixture(name)["suggestions"]:
            title = entry["title"].removeprefix("关于").removesuffix("的建议")
            sentences = [s + "。" for s in entry.get("content", "").split("。") if s.strip()]
            if sentences:
                out.append((entry["category"], [title], sentences[:-1] or sentences, sentences[-1:]))
    return out


@cache
def _terms(text):
    return tuple(search.terms(text))


@dataclass
class Ids:
    """The next id of each table written (ids are given here so related rows can name them)."""

    next: dict = field(default_factory=dict)

    def take(self, model):
        value = self.next.get(model)
        if value is None:
            value = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.next[model] = value + 1
        return value


class Writer:
    """Rows by model (and M2M through table), written at ``flush``: COPY on PostgreSQL, else bulk_create."""

    def __init__(self):
        self.rows = {}
        self.counts = Counter()

    def add(self, model, **row):
        self.rows.setdefault(model, []).append(row)

    def flush(self):
        for model, rows in self.rows.items():
            if not rows:
                continue
            self.counts[model._meta.label] += len(rows)
            if connection.vendor == "postgresql":
                self._copy(model, rows)
            else:
                model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
        self.rows = {}

    @staticmethod
    def _copy(model, rows):
        given = rows[0].keys()
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in given]
        defaults = {}
        for f in fields:
            if f.has_default():
                defaults[f.attname] = f.get_default()
            elif f.null:
                defaults[f.attname] = None
            else:
                defaults[f.attname] = (
                    "" if f.get_internal_type() in ("CharField", "TextField", "FileField") else None
                )
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        names = [f.attname for f in fields]
        table = connection.ops.quote_name(model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row[n] if n in row else defaults[n] for n in names])


@dataclass
class Plan:
    suggestions: int
    seed: int = 12
    today: datetime.date = None


class Generator:
    def __init__(self, plan: Plan, out=None):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.today = plan.today or timezone.localdate()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.latest = timezone.localtime(self.now - datetime.timedelta(minutes=1))
        self.ids = Ids()
        self.writer = Writer()
        self.out = out or (lambda text: None)
        self.codes = [c.code for c in rules.result_classes()]
        self.commitment_codes = set(rules.commitment_codes())
        self.topics = topics()
        self.doc_numbers = Counter()
        self.long_timeline_id = None

    # --- reference -------------------------------------------------------------------------------------------

    def reference(self):
        rng = self.rng
        leaders = list(Leader.objects.order_by("order", "pk"))
        self.categories = {c.name: c for c in Category.objects.all()}
        units = []
        order = (HandlingUnit.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        for d, district in enumerate(DISTRICTS[:3]):
            for i, (dept, short, _category) in enumerate(DEPARTMENTS):
                name = f"{district}{dept}"
                unit, _ = HandlingUnit.objects.get_or_create(
                    name=name,
                    defaults=dict(
                        short_name=f"{district[:2]}{short}",
                        kind=HandlingUnit.Kind.GOVERNMENT,
                        leader=leaders[1 + i % (len(leaders) - 1)] if len(leaders) > 1 else None,
                        document_prefix=f"{district[0]}{short[:2]}函",
                        order=order + d * 20 + i,
                    ),
                )
                units.append((unit, _category))
        for i, town in enumerate(TOWNS[:15]):
            unit, _ = HandlingUnit.objects.get_or_create(
                name=f"{town}人民政府" if town.endswith(("镇", "乡")) else f"{town}办事处",
                defaults=dict(
                    short_name=town,
                    kind=HandlingUnit.Kind.TOWNSHIP,
                    leader=leaders[-1] if leaders else None,
                    document_prefix=f"{town[:2]}政函",
                    order=order + 80 + i,
                ),
            )
            units.append((unit, None))
        self.units = [u for u, _ in units]
        self.units_by_category = {}
        for unit, category in units:
            self.units_by_category.setdefault(category, []).append(unit)
        self.township_units = self.units_by_category.pop(None, [])

        delegations = []
        dorder = (Delegation.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        for i, town in enumerate(TOWNS):
            delegation, _ = Delegation.objects.get_or_create(
                name=f"{town}代表团", defaults={"order": dorder + i}
            )
            delegations.append(delegation)
        existing = set(Deputy.objects.filter(delegation__in=delegations).values_list("name", "delegation_id"))
        new = []
        for i in range(600):
            delegation = delegations[i % len(delegations)]
            for _ in range(50):
                name = (
                    rng.choice(SURNAMES)
                    + rng.choice(GIVEN)
                    + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
                )
                if (name, delegation.pk) not in existing:
                    break
            existing.add((name, delegation.pk))
            new.append(
                Deputy(
                    name=name,
                    delegation=delegation,
                    workplace=f"{delegation.name.removesuffix('代表团')}{rng.choice(WORKPLACES)}",
                    phone=f"139{rng.randrange(10**8):08d}",
                )
            )
        Deputy.objects.bulk_create(new, batch_size=500)
        self.deputies = list(
            Deputy.objects.filter(delegation__in=delegations)
            .values_list("pk", "delegation_id")
            .order_by("pk")
        )
        self.leaders = leaders

    def sessions(self):
        out = []
        for term, meeting, year in PAST_SESSIONS:
            session, _ = CongressSession.objects.get_or_create(
                term=term,
                meeting=meeting,
                defaults=dict(
                    name=f"第{CN[term]}届人民代表大会第{CN[meeting]}次会议",
                    year=year,
                    opened_on=datetime.date(year, 1, 10 + meeting),
                    is_current=False,
                ),
            )
            out.append(session)
        current = CongressSession.objects.filter(is_current=True).first()
        return out, current

    # --- one suggestion --------------------------------------------------------------------------------------

    def _at(self, day, hour=None):
        """A moment of ``day`` in office hours (never after now)."""
        hour = 8 + int(self.rng.random() * 10) if hour is None else hour
        moment = datetime.datetime(
            day.year, day.month, day.day, hour, int(self.rng.random() * 60), tzinfo=self.tz
        )
        return moment if moment < self.latest else self.latest

    def _event(self, sid, at, action, label, aud=AUD.ALL, assignment=None, **states):
        self.writer.add(
            Event,
            id=self.ids.take(Event),
            suggestion_id=sid,
            assignment_id=assignment,
            action=action,
            label=label,
            actor_id=None,
            actor_name=states.pop("actor", ""),
            from_state=states.get("from_state", ""),
            to_state=states.get("to_state", ""),
            assignment_from=states.get("assignment_from", ""),
            assignment_to=states.get("assignment_to", ""),
            audience=aud,
            note=states.get("note", ""),
            created_at=at,
        )

    def _text(self):
        rng = self.rng
        category, titles, problems, proposals = rng.choice(self.topics)
        place = rng.choice(TOWNS)
        title = "关于" + rng.choice(titles).replace("{p}", place) + "的建议"
        sentences = rng.sample(problems, k=min(len(problems), rng.randint(1, 2))) + rng.sample(
            proposals, k=min(len(proposals), rng.randint(1, 2))
        )
        sentences = [s.replace("{p}", place) for s in sentences]
        return category, title, sentences, place

    def _index(self, sid, title, sentences):
        counts = Counter()
        for _ in range(search.TITLE_WEIGHT):
            counts.update(_terms(title))
        for sentence in sentences:
            counts.update(_terms(sentence))
        length = sum(counts.values())
        self.writer.add(SearchDocument, suggestion_id=sid, length=length)
        for term, tf in counts.items():
            self.writer.add(
                SearchTerm, id=self.ids.take(SearchTerm), suggestion_id=sid, term=term, tf=tf, length=length
            )

    def _state(self, current):
        r = self.rng.random()
        if not current:
            return S.CLOSED if r < 0.97 else (S.NOT_GOVERNMENT if r < 0.99 else S.WITHDRAWN)
        table = [(0.05, S.REGISTERED), (0.15, S.ASSIGNED), (0.5, S.IN_HANDLING), (0.65, S.REPLIED),
                 (0.68, S.REHANDLING), (0.98, S.CLOSED), (0.99, S.NOT_GOVERNMENT), (1.0, S.WITHDRAWN)]  # fmt: skip
        return next(state for limit, state in table if r < limit)

    def _doc_number(self, unit, year):
        self.doc_numbers[(unit.pk, year)] += 1
        return f"{unit.document_prefix}〔{year}〕{self.doc_numbers[(unit.pk, year)]}号"

    def suggestion(self, session, number, current):
        rng, w = self.rng, self.writer
        sid = self.ids.take(Suggestion)
        category, title, sentences, place = self._text()
        deputy_id, delegation_id = rng.choice(self.deputies)
        state = self._state(current)
        units = self.units_by_category.get(category) or self.units
        lead = rng.choice(units) if rng.random() < 0.85 else rng.choice(self.township_units)
        co = rng.choice([u for u in self.units if u.pk != lead.pk]) if rng.random() < 0.3 else None
        if current:
            opened = session.opened_on or self.today - datetime.timedelta(days=137)
            registered = opened + datetime.timedelta(days=rng.randint(0, 5))
            assigned = registered + datetime.timedelta(days=rng.randint(10, 40))
            if assigned > self.today:
                assigned = self.today
        else:
            registered = session.opened_on + datetime.timedelta(days=rng.randint(0, 5))
            assigned = registered + datetime.timedelta(days=rng.randint(15, 45))
        deadline = assigned + datetime.timedelta(days=91)
        year = session.year
        span = max((self.today - assigned).days, 1) if current else 120
        signed = assigned + datetime.timedelta(days=rng.randint(1, 5))
        contacted = signed + datetime.timedelta(days=rng.randint(3, max(4, min(40, span // 3))))
        drafted = contacted + datetime.timedelta(days=rng.randint(3, max(4, min(40, span // 3))))
        reviewed = drafted + datetime.timedelta(days=rng.randint(2, 6))
        rated = reviewed + datetime.timedelta(days=rng.randint(5, 20))
        closed = rated + datetime.timedelta(days=rng.randint(3, 15))
        if current:  # nothing in the future
            reviewed, rated, closed = (min(d, self.today) for d in (reviewed, rated, closed))
            drafted, contacted, signed = (min(d, self.today) for d in (drafted, contacted, signed))
        is_key = rng.random() < 0.01
        leader = lead.leader_id
        row = dict(
            id=sid, session_id=session.pk, number=number, title=title, content="".join(sentences),
            source=Suggestion.Source.SESSION, submitted_on=registered, lead_deputy_id=deputy_id,
            delegation_id=delegation_id, category_id=self.categories[category].pk, leader_id=leader,
            is_key=is_key, supervising_leader_id=(leader or self.leaders[0].pk) if is_key else None,
            key_order=None, state=state, other_organ="", remarks="", round=1, lead_unit_id=None,
            assigned_on=None, deadline=None, deadline_estimated=False, replied_at=None, result_class="",
            rating=None, first_rating=None, rated_unsatisfied=False, closed_at=None, merged_into_id=None,
            created_by_id=None, created_at=self._at(registered, 9),
        )  # fmt: skip
        self._index(sid, title, sentences)
        if rng.random() < 0.3:
            for joint in {rng.choice(self.deputies)[0] for _ in range(rng.randint(1, 2))} - {deputy_id}:
                w.add(Suggestion.joint_deputies.through, suggestion_id=sid, deputy_id=joint)
        self._event(sid, row["created_at"], "register", "登记", to_state=S.REGISTERED, actor="政府办")
        last = row["created_at"]
        if state in (S.REGISTERED, S.WITHDRAWN, S.NOT_GOVERNMENT):
            if state == S.NOT_GOVERNMENT:
                row["other_organ"] = "市人民法院"
                last = self._at(assigned)
                self._event(sid, last, "hand_over", "转非政府承办", from_state=S.REGISTERED, to_state=state)
            elif state == S.WITHDRAWN:
                last = self._at(assigned)
                self._event(sid, last, "withdraw", "撤回", from_state=S.REGISTERED, to_state=state)
            row["updated_at"] = last
            w.add(Suggestion, **row)
            return sid
        row.update(lead_unit_id=lead.pk, assigned_on=assigned, deadline=deadline)
        lead_state = {
            S.ASSIGNED: A.PENDING,
            S.IN_HANDLING: rng.choice([A.SIGNED, A.SIGNED, A.DRAFTED, A.SUBMITTED]),
        }.get(state, A.REPLIED)
        rehandled = state == S.REHANDLING or (state == S.CLOSED and rng.random() < 0.03)
        lead_id = self.ids.take(Assignment)
        parts = dict(assigned_on=assigned, deadline=deadline, original_deadline=deadline, deadline_months=3,
                     deadline_estimated=False, deadline_note="", replaced_by_id=None, signed_by_id=None,
                     reassignment_until=assigned + datetime.timedelta(days=7))  # fmt: skip
        w.add(Assignment, id=lead_id, suggestion_id=sid, unit_id=lead.pk, role="lead", round=1, state=lead_state,
              signed_at=None if lead_state == A.PENDING else self._at(signed), supports_id=None,
              completed_at=self._at(reviewed) if lead_state == A.REPLIED else None,
              created_at=self._at(assigned, 9), **parts)  # fmt: skip
        at = self._at(assigned, 9)
        self._event(sid, at, "assign", "交办", from_state=S.REGISTERED, to_state=S.ASSIGNED, actor="政府办")
        co_id = None
        if co is not None:
            co_id = self.ids.take(Assignment)
            co_state = (
                A.PENDING if state == S.ASSIGNED else (A.OPINION_SENT if lead_state != A.SIGNED else A.SIGNED)
            )
            w.add(Assignment, id=co_id, suggestion_id=sid, unit_id=co.pk, role="co", round=1, state=co_state,
                  signed_at=None if co_state == A.PENDING else self._at(signed), supports_id=None,
                  completed_at=self._at(contacted) if co_state == A.OPINION_SENT else None,
                  created_at=at, **parts)  # fmt: skip
            if co_state == A.OPINION_SENT:
                w.add(CoUnitOpinion, assignment_id=co_id, text="同意主办单位的办理意见，将积极配合落实。",
                      signer="", sent_by_id=None, sent_at=self._at(contacted))  # fmt: skip
                self._event(sid, self._at(contacted), "send_opinion", "报送协办意见", AUD.GOVERNMENT, co_id,
                            assignment_from=A.SIGNED, assignment_to=A.OPINION_SENT)  # fmt: skip
        last = at
        if lead_state != A.PENDING:
            last = self._at(signed)
            self._event(sid, last, "sign_for", "签收", assignment=lead_id, from_state=S.ASSIGNED,
                        to_state=S.IN_HANDLING, assignment_from=A.PENDING, assignment_to=A.SIGNED)  # fmt: skip
            contact_id = self.ids.take(ContactRecord)
            method = rng.choice(["visit", "phone", "site", "meeting"])
            w.add(ContactRecord, id=contact_id, assignment_id=lead_id, method=method, contacted_on=contacted,
                  participants=f"{lead.short_name}经办人", summary=rng.choice(CONTACT_SUMMARIES),
                  recorded_by_id=None, created_at=self._at(contacted))  # fmt: skip
            w.add(ContactRecord.deputies.through, contactrecord_id=contact_id, deputy_id=deputy_id)
            row.update(contacted=True, met=method in ContactRecord.FACE_TO_FACE)
            last = self._at(contacted)
            self._event(sid, last, "log_contact", "记录沟通", assignment=lead_id)
        if lead_state in (A.DRAFTED, A.SUBMITTED, A.REPLIED):
            last = self._at(drafted)
            self._event(sid, last, "draft_reply", "拟写答复", AUD.UNIT, lead_id,
                        assignment_from=A.SIGNED, assignment_to=A.DRAFTED)  # fmt: skip
        if lead_state in (A.SUBMITTED, A.REPLIED):
            self._event(sid, last, "sign_reply", "签发答复", AUD.UNIT, lead_id,
                        assignment_from=A.DRAFTED, assignment_to=A.SIGNED_OFF)  # fmt: skip
            self._event(sid, last, "submit_reply", "报送答复", AUD.OFFICE_UNIT, lead_id,
                        assignment_from=A.SIGNED_OFF, assignment_to=A.SUBMITTED)  # fmt: skip
        if lead_state == A.SUBMITTED:
            w.add(
                Reply, **self._reply(lead_id, lead, year, place, drafted, None, state=Reply.State.SUBMITTED)
            )
        elif lead_state == A.DRAFTED:
            w.add(Reply, **self._reply(lead_id, lead, year, place, drafted, None, state=Reply.State.DRAFT))
        if lead_state == A.REPLIED:
            reply = self._reply(lead_id, lead, year, place, drafted, reviewed, state=Reply.State.ACCEPTED)
            w.add(Reply, **reply)
            last = self._at(reviewed)
            self._event(sid, last, "review_reply", "审核答复", assignment=lead_id, from_state=S.IN_HANDLING,
                        to_state=S.REPLIED, assignment_from=A.SUBMITTED, assignment_to=A.REPLIED)  # fmt: skip
            row.update(replied_at=last, result_class=reply["result_class"])
            if state != S.REPLIED:
                # 不满意 opens a second round (the workflow's rule): only the re-handled ones are rated 1
                overall = 1 if rehandled else rng.choice([3, 3, 3, 3, 3, 2, 2])
                rating_id = self.ids.take(Rating)
                w.add(Rating, id=rating_id, reply_id=reply["id"], deputy_id=deputy_id, overall=overall,
                      process=overall, result=overall, comment="" if overall > 1 else "问题没有实际解决。",
                      source="online", recorded_by_id=None, rated_at=self._at(rated))  # fmt: skip
                last = self._at(rated)
                self._event(sid, last, "rate", "评价答复", to_state=S.REHANDLING if rehandled else "",
                            from_state=S.REPLIED if rehandled else "")  # fmt: skip
                row.update(rating=overall, first_rating=overall, rated_unsatisfied=overall == 1)
                if rehandled:
                    last = self._rehandle(sid, row, lead, year, place, rated, rating_id, deputy_id, state)
            if state == S.CLOSED:
                closed_at = self._at(max(closed, last.date()))
                closed_at = max(closed_at, last)
                self._event(sid, closed_at, "publish", "公开答复")
                self._event(sid, closed_at, "close", "办结", from_state=S.REPLIED, to_state=S.CLOSED)
                row["closed_at"] = last = closed_at
        if current and self.long_timeline_id is None and state == S.IN_HANDLING:
            self.long_timeline_id = sid
            for i in range(LONG_TIMELINE_EVENTS - 4):
                kind = (
                    ("supervise", "督办催办", AUD.GOVERNMENT)
                    if i % 2
                    else ("log_contact", "记录沟通", AUD.ALL)
                )
                self._event(sid, self._at(assigned + datetime.timedelta(days=i % max(span, 1))), kind[0], kind[1],
                            kind[2], lead_id if kind[0] == "log_contact" else None,
                            note=f"第{i + 1}次跟进：{rng.choice(CONTACT_SUMMARIES)}")  # fmt: skip
        row["updated_at"] = last
        w.add(Suggestion, **row)
        return sid

    def _reply(self, assignment_id, unit, year, place, drafted, reviewed, state):
        rng = self.rng
        code = rng.choice(self.codes)
        reply = dict(
            id=self.ids.take(Reply), assignment_id=assignment_id, state=state,
            document_number=self._doc_number(unit, year), contact_person=f"{unit.short_name}联系人",
            contact_phone=f"0357-{rng.randrange(10**7):07d}", text=rng.choice(REPLY_TEXTS).replace("{p}", place),
            result_class=code, commitment="", commitment_due=None, commitment_done_on=None, attachment="",
            revision_note="", drafted_by_id=None, drafted_at=self._at(drafted), signer=f"{unit.short_name}负责人",
            signed_by_id=None, signed_at=self._at(drafted) if state != Reply.State.DRAFT else None,
            submitted_at=self._at(drafted) if state in (Reply.State.SUBMITTED, Reply.State.ACCEPTED) else None,
            reviewed_by_id=None, reviewed_at=self._at(reviewed) if reviewed else None, return_reason="",
            is_public=True, withheld_reason="", published_at=self._at(reviewed) if reviewed else None,
        )  # fmt: skip
        if code in self.commitment_codes and state == Reply.State.ACCEPTED:
            due = (reviewed or drafted) + datetime.timedelta(days=rng.randint(60, 300))
            done = (
                due - datetime.timedelta(days=rng.randint(0, 30))
                if due < self.today and rng.random() < 0.8
                else None
            )
            text = rng.choice(COMMITMENTS).replace("{p}", place)
            reply.update(commitment=text, commitment_due=due, commitment_done_on=done)
            self.writer.add(Commitment, id=self.ids.take(Commitment), reply_id=reply["id"], position=1, text=text,
                            due=due, percent=100 if done else rng.choice([0, 30, 60]), done_on=done)  # fmt: skip
        return reply

    def _rehandle(self, sid, row, unit, year, place, rated, rating_id, deputy_id, state):
        rng, w = self.rng, self.writer
        start = rated + datetime.timedelta(days=2)
        deadline = start + datetime.timedelta(days=30)
        w.add(Rehandling, id=self.ids.take(Rehandling), suggestion_id=sid, round=2, rating_id=rating_id,
              reason="代表对答复不满意，重新办理。", deadline=deadline, created_by_id=None,
              created_at=self._at(start))  # fmt: skip
        part_id = self.ids.take(Assignment)
        done = state == S.CLOSED
        w.add(Assignment, id=part_id, suggestion_id=sid, unit_id=unit.pk, role="lead", round=2,
              state=A.REPLIED if done else A.SIGNED, assigned_on=start, deadline=deadline, original_deadline=deadline,
              deadline_months=1, deadline_estimated=False, deadline_note="", reassignment_until=None,
              signed_at=self._at(start), signed_by_id=None, replaced_by_id=None, supports_id=None,
              completed_at=self._at(start + datetime.timedelta(days=20)) if done else None,
              created_at=self._at(start))  # fmt: skip
        last = self._at(start)
        self._event(
            sid,
            last,
            "sign_for",
            "签收",
            assignment=part_id,
            assignment_from=A.PENDING,
            assignment_to=A.SIGNED,
        )
        row.update(round=2, deadline=deadline, assigned_on=start, rating=None)
        if done:
            replied = start + datetime.timedelta(days=20)
            reply = self._reply(part_id, unit, year, place, replied - datetime.timedelta(days=3), replied,
                                state=Reply.State.ACCEPTED)  # fmt: skip
            w.add(Reply, **reply)
            last = self._at(replied)
            self._event(sid, last, "review_reply", "审核答复", assignment=part_id, from_state=S.REHANDLING,
                        to_state=S.REPLIED, assignment_from=A.SUBMITTED, assignment_to=A.REPLIED)  # fmt: skip
            overall = rng.choice([2, 3])
            w.add(Rating, id=self.ids.take(Rating), reply_id=reply["id"], deputy_id=deputy_id, overall=overall,
                  process=overall, result=overall, comment="", source="online", recorded_by_id=None,
                  rated_at=self._at(replied + datetime.timedelta(days=5)))  # fmt: skip
            last = self._at(replied + datetime.timedelta(days=5))
            self._event(sid, last, "rate", "评价答复")
            row.update(replied_at=self._at(replied), result_class=reply["result_class"], rating=overall)
        return last

    # --- the whole run ---------------------------------------------------------------------------------------

    def run(self):
        with transaction.atomic():
            self.reference()
            past, current = self.sessions()
        total = self.plan.suggestions
        in_current = round(total * CURRENT_SHARE) if current else 0
        per_past = [(total - in_current) // len(past)] * len(past)
        per_past[-1] += total - in_current - sum(per_past)
        plan = [(s, n, False) for s, n in zip(past, per_past, strict=True)] + (
            [(current, in_current, True)] if current else []
        )
        done = 0
        dropped = self._drop_indexes()
        try:
            for session, count, is_current in plan:
                done = self._session(session, count, is_current, done, total)
        finally:
            self._create_indexes(dropped)
        self.finish()
        return self.writer.counts

    def _session(self, session, count, is_current, done, total):
        numbers = (
            Suggestion.objects.filter(session=session).order_by("-number").values_list("number", flat=True)
        )
        start = (numbers.first() or 0) + 1
        for first in range(0, count, CHUNK):
            with transaction.atomic():
                self._fast_load()
                numbers = range(start + first, start + min(first + CHUNK, count))
                for number in numbers:
                    self.suggestion(session, number, is_current)
                self.writer.flush()
                self._fast_load(False)
                # the list's search rows (listsearch), a chunk at a time
                listsearch.refresh(
                    Suggestion.objects.filter(session=session, number__in=numbers).values_list(
                        "pk", flat=True
                    )
                )
            done += min(CHUNK, count - first)
            self.out(f"{session.name}：{done}/{total}")
        return done

    BULK_TABLES = (Event, SearchTerm, Suggestion, Assignment, Reply, Rating, ContactRecord)

    @classmethod
    def _drop_indexes(cls):
        """On PostgreSQL, the secondary indexes of the largest tables (``BULK_TABLES``), built again once at the
        end (``_create_indexes``): one build is much cheaper than a million index insertions. Primary keys and
        constraints stay."""
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return []  # inside a transaction (a test's) the deferred checks pending forbid CREATE INDEX
        tables = [m._meta.db_table for m in cls.BULK_TABLES]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
                "AND tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [tables],
            )
            dropped = cursor.fetchall()
            for name, _ in dropped:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return dropped

    @staticmethod
    def _create_indexes(dropped):
        with connection.cursor() as cursor:
            if dropped:
                cursor.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in dropped:
                cursor.execute(definition)

    @staticmethod
    def _fast_load(on=True):
        """On PostgreSQL as a superuser, a chunk's rows skip the triggers that check each foreign key (as
        pg_restore's --disable-triggers does; the generator gives only ids it has written or read), and its
        commit does not wait for the disk. ``on=False`` sets both back before the chunk's transaction ends (it
        may be inside a larger one: a test's)."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute(f"SET LOCAL session_replication_role = {'replica' if on else 'origin'}")
            cursor.execute(f"SET LOCAL synchronous_commit = {'off' if on else 'on'}")

    def finish(self):
        # the chunks skipped the triggers that tell the figures' tallies stale (``_fast_load``): recount them all
        tallies.forget_all()
        models = [Suggestion, Assignment, Reply, Rating, Rehandling, ContactRecord, CoUnitOpinion, Event, Commitment,
                  SearchTerm, Suggestion.joint_deputies.through, ContactRecord.deputies.through]  # fmt: skip
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
