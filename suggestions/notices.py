"""The documents the office hands out, composed from the data as plain values: ``notices_docx`` writes them as
Word files laid out like official documents, and ``Notice.text()`` gives the same words as plain text.

- ``assignment_notice(part)``: the 交办通知单 of one unit's part of one suggestion: the suggestion, the unit's role
  (主办, 协办, 分办), the other units, the assignment date, the deadline (for a co-unit, when its opinion is due) and
  the handling rules in brief;
- ``unit_notice(unit, session, parts)``: the 交办通知单 listing all of a unit's parts in a session, as a table;
- ``supervision_notice(note, parts)``: the 督办通知单 (催办通知单) of a supervision note: the suggestion, its units,
  the note and the date by which the office wants it done.

The rules' numbers come from ``settings.SUGGESTION_RULES`` (``deadlines.rule``), the result classes and contact
methods from their choices. Who issues the documents: ``settings.NOTICE_ISSUER`` (default: 市人民政府办公室, with
the rules' ``city`` and ``place`` in front); whom the units call: ``settings.NOTICE_CONTACT``, or else the
office person who issued it.

Who may download them is decided here once: ``assignment_parts_for(user)`` and ``supervision_notes_for(user)``
(querysets, inside ``visible_to``), ``may_download_assignment_notice`` for a part already on a page.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from accounts.roles import Role

from . import access, deadlines, rules
from .formats import date_cn
from .models import Assignment, ContactRecord, Event, Suggestion, SupervisionNote

A = Assignment.Role
SUPERVISION_KINDS = (SupervisionNote.Kind.SUPERVISE, SupervisionNote.Kind.CHASE)
ROLE_ORDER = {A.LEAD: 0, A.SEPARATE: 1, A.CO: 2}
# A part of a suggestion that has left the government's hands is no longer handed out.
NOT_HANDED_OUT = (Suggestion.State.WITHDRAWN, Suggestion.State.NOT_GOVERNMENT)


# --- the document as plain values -------------------------------------------------------------------------------


@dataclass
class Paragraph:
    text: str
    indent: bool = True  # a two-character first-line indent; off for the addressee line
    bold: bool = False


@dataclass
class Heading:
    text: str  # 办理要求: in 黑体, like the report's 一、 headings


@dataclass
class Table:
    rows: list[list[str]]
    header: list[str] | None = None  # None: a two-column table of labels and values
    widths: list[int] | None = None  # column widths in millimetres


@dataclass
class Notice:
    issuer: str  # 发文机关: 霍州市人民政府办公室
    title: str
    addressee: str  # 市交通运输局：
    blocks: list = field(default_factory=list)
    contact: str = ""
    date: str = ""  # 2025年3月3日, under the issuer at the end
    filename: str = "通知单.docx"

    def text(self) -> str:
        lines = [self.issuer, self.title, "", self.addressee]
        for block in self.blocks:
            if isinstance(block, Table):
                for row in [*([block.header] if block.header else []), *block.rows]:
                    lines.append("　".join(row))
            else:
                lines.append(block.text)
        lines += ["", self.contact, self.issuer, self.date]
        return "\n".join(line for line in lines if line is not None).rstrip() + "\n"


# --- who may download what --------------------------------------------------------------------------------------


def _is_office(user):
    return user.has_perm("suggestions.assign")


def assignment_parts_for(user):
    """The parts whose 交办通知单 ``user`` may download: the office all it sees, a unit its own; nobody else."""
    parts = Assignment.objects.visible_to(user)
    if _is_office(user):
        return parts
    if user.is_authenticated and user.is_unit_member and user.unit_id:
        return parts.filter(unit_id=user.unit_id)
    return parts.none()


def may_download_assignment_notice(user, part) -> bool:
    """The same answer for a part on a page ``user`` already sees."""
    if _is_office(user):
        return True
    return bool(user.is_authenticated and user.is_unit_member and user.unit_id == part.unit_id)


def may_download_unit_notice(user, unit) -> bool:
    return _is_office(user) or bool(user.is_unit_member and user.unit_id == unit.pk)


def may_download_supervision_notice(user) -> bool:
    return user.has_perm("suggestions.supervise") and access.may(user, "notes")


def supervision_notes_for(user):
    if not may_download_supervision_notice(user):
        return SupervisionNote.objects.none()
    return SupervisionNote.objects.filter(
        kind__in=SUPERVISION_KINDS, suggestion__in=Suggestion.objects.visible_to(user)
    )


# --- the words they share ---------------------------------------------------------------------------------------


def issuer() -> str:
    configured = getattr(settings, "NOTICE_ISSUER", "")
    if configured:
        return configured
    return f"{rules.city()}{rules.place()}人民政府办公室"


def _session_words(session) -> str:
    """市八届人大五次会议 (霍州市八届人大五次会议 with the rules' city)."""
    return f"{rules.city()}{rules.place()}{session.short_name}"


def contact_line(person) -> str:
    """联系人：武晓霞　联系电话：0357-5620000 (the setting, when the office has set one)."""
    configured = getattr(settings, "NOTICE_CONTACT", "")
    if configured:
        return f"联系人：{configured}"
    if person is None:
        return "联系人：　　　　联系电话："
    phone = getattr(person, "phone", "") or ""
    return f"联系人：{person.display_name}　联系电话：{phone}"


def office_contact(user, suggestion):
    """Whom the unit calls: the office person downloading it, or (for a unit downloading its own notice) the one
    who assigned the suggestion."""
    if _is_office(user):
        return user
    event = (
        Event.objects.filter(
            suggestion=suggestion, action__in=["assign", "rehandle"], actor__role=Role.OFFICE
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return event.actor if event else None


def _deputy_label(suggestion) -> str:
    return f"{suggestion.lead_deputy.name}（{suggestion.delegation.name}）"


def _joint_label(suggestion) -> str:
    return "、".join(d.name for d in suggestion.joint_deputies.all()) or "无"


def _names(parts) -> str:
    return "、".join(p.unit.name for p in parts) or "无"


def _receiver(part) -> str:
    """Whom a co-unit sends its opinion to: the 分办 unit it supports, or the lead unit."""
    return part.supports.unit.name if part is not None and part.supports_id else "主办单位"


def rules_paragraphs(*, role=None, part=None, with_co=True) -> list:
    """The handling rules in brief, numbered 一、二、…; the numbers from ``suggestions.rules``.

    With ``part``, the sentences carry its own dates (sign-for window, deadline); for a co-unit the deadline
    is the opinion's. ``with_co``: say what co-units owe the lead unit (a lead unit without any is not told)."""
    r = deadlines.rule
    contact_methods = "、".join(
        label for value, label in ContactRecord.Method.choices if value != ContactRecord.Method.OTHER
    )
    classes = "；".join(label for _value, label in rules.result_class_choices())
    lines = []
    if part is None or part.reassignment_until:
        until = f"{date_cn(part.reassignment_until)}前（" if part else ""
        close = "）" if part else ""
        lines.append(
            f"请于{until}交办之日起{r('reassignment_working_days')}个工作日内{close}签收。"
            "认为不属于本单位职责的，请在此期间提出调整申请，说明理由并提出建议承办单位；"
            "调整后办理期限仍自首次交办之日起计算。"
        )
    if role == A.CO:
        due = f"，即{date_cn(part.deadline)}前" if part else ""
        lines.append(
            f"协办单位应于交办之日起{r('opinion_months')}个月内{due}将书面协办意见送{_receiver(part)}，"
            "协办意见由本单位负责人签署。"
        )
    else:
        due = f"请于{date_cn(part.deadline)}前办结并答复代表。" if part else ""
        lines.append(
            f"{due}办理期限自交办之日起{r('handling_months')}个月；情况复杂、确需延期的，"
            f"应在期限届满前提出延期申请，经批准最长不超过{r('max_handling_months')}个月。"
        )
        if role in (None, A.LEAD) and with_co:
            lines.append(
                f"有协办单位的，协办单位于交办之日起{r('opinion_months')}个月内提出协办意见，主办单位答复时应吸收协办意见。"
            )
        lines.append(f"答复前应与领衔代表沟通（{contact_methods}等），听取代表意见。")
        lines.append(
            f"答复函须经单位负责人签发，写明文号、签发人、联系人及联系电话，并标明答复类别：{classes}。"
        )
        lines.append(f"代表对答复不满意的，应在{r('rehandling_months')}个月内重新办理并再次答复。")
        lines.append(f"答复内容除不宜公开的外，于答复后{r('publish_working_days')}个工作日内公开。")
    numerals = "一二三四五六七八九十"
    return [Paragraph(f"{numerals[i]}、{text}") for i, text in enumerate(lines)]


# --- 交办通知单 ----------------------------------------------------------------------------------------------------


def _siblings(part):
    """The other current parts of the same round (prefetched as ``suggestion.assignments`` when the caller did)."""
    others = (
        p
        for p in part.suggestion.assignments.all()
        if p.round == part.round and p.pk != part.pk and p.state != Assignment.State.REASSIGNED
    )
    return sorted(others, key=lambda p: (ROLE_ORDER[p.role], p.pk))


def _title(session, rehandling=False) -> str:
    verb = "重新办理" if rehandling else "交办"
    return f"关于{verb}{_session_words(session)}代表建议的通知"


def assignment_notice(part, *, contact=None) -> Notice:
    """The 交办通知单 of one part: what the unit receives with the suggestion."""
    s = part.suggestion
    others = _siblings(part)
    lead = [p for p in others if p.role == A.LEAD]
    co = [p for p in others if p.role == A.CO]
    separate = [p for p in others if p.role == A.SEPARATE]
    role = part.get_role_display()
    rehandling = part.round > 1
    rows = [
        ["建议编号", s.number_label],
        ["案由", s.title],
        ["领衔代表", _deputy_label(s)],
        ["联名代表", _joint_label(s)],
        ["类别", s.category.name],
        ["承办方式", role + (f"（第{part.round}轮，重新办理）" if rehandling else "")],
    ]
    if part.role == A.SEPARATE:
        rows.append(["其他分办单位", _names(separate)])
        co = [p for p in co if p.supports_id == part.pk]  # 分办: only its own co-units report to it
        if co:
            rows.append(["协办单位", _names(co)])
    elif part.supports_id:  # a co-unit of one 分办 unit
        rows.append(["配合的分办单位", part.supports.unit.name])
        rows.append(["协办单位", _names([part, *(p for p in co if p.supports_id == part.supports_id)])])
    else:
        rows.append(["主办单位", part.unit.name if part.role == A.LEAD else _names(lead)])
        rows.append(["协办单位", _names([part, *co] if part.role == A.CO else co)])
    rows.append(["交办日期", date_cn(part.assigned_on)])
    if part.role == A.CO:
        lead_deadline = (
            part.supports.deadline if part.supports_id else (lead[0].deadline if lead else s.deadline)
        )
        rows.append(["协办意见期限", f"{date_cn(part.deadline)}前将书面协办意见送{_receiver(part)}"])
        if lead_deadline:
            rows.append([f"{_receiver(part)}答复期限", date_cn(lead_deadline)])
    else:
        deadline = f"{date_cn(part.deadline)}前办结并答复代表"
        if part.deadline != part.original_deadline:
            deadline += f"（原期限{date_cn(part.original_deadline)}，已批准延期）"
        rows.append(["办理期限", deadline])
        if co:
            rows.append(["协办意见期限", f"协办单位于{date_cn(co[0].deadline)}前提出协办意见"])
    if s.is_key and s.supervising_leader:
        rows.append(["重点建议", f"督办领导：{s.supervising_leader}"])

    opening = (
        f"{s.session.name}代表提出的{s.number_label}建议经代表评价不满意，现交你单位重新办理（{role}）。"
        if rehandling
        else f"现将{s.session.name}代表提出的{s.number_label}建议交你单位办理（{role}），请认真研究办理。"
    )
    notice = Notice(
        issuer=issuer(),
        title=_title(s.session, rehandling),
        addressee=f"{part.unit.name}：",
        contact=contact_line(contact),
        date=date_cn(part.assigned_on),
        filename=f"交办通知单-{s.number_label}-{part.unit.name}.docx",
    )
    notice.blocks = [
        Paragraph(opening),
        Table(rows),
        Heading("办理要求"),
        *rules_paragraphs(role=part.role, part=part, with_co=bool(co)),
    ]
    return notice


def unit_parts(user, unit, session):
    """The parts of ``unit`` in ``session`` that ``user`` may download, with what the table shows, in two
    queries whatever their number."""
    return (
        assignment_parts_for(user)
        .filter(unit=unit, suggestion__session=session)
        .exclude(state=Assignment.State.REASSIGNED)
        .exclude(suggestion__state__in=NOT_HANDED_OUT)
        .select_related("suggestion__lead_deputy", "suggestion__delegation")
        .prefetch_related("suggestion__assignments__unit")
        .order_by("suggestion__number", "round")
    )


def unit_notice(unit, session, parts, *, contact=None, today=None) -> Notice:
    """The 交办通知单 of all of ``unit``'s ``parts`` in ``session``: a table, one row per part."""
    today = today or timezone.localdate()
    parts = list(parts)
    counts = {role: sum(1 for p in parts if p.role == role) for role in A}
    split = "、".join(f"{A(role).label}{n}件" for role, n in counts.items() if n)
    rows = []
    for i, part in enumerate(parts, 1):
        s = part.suggestion
        others = _siblings(part)
        others_label = "；".join(
            f"{label}：{_names([p for p in others if p.role == value])}"
            for value, label in A.choices
            if any(p.role == value for p in others)
        )
        deadline = date_cn(part.deadline) + ("（协办意见）" if part.role == A.CO else "")
        role = part.get_role_display() + (f"（第{part.round}轮）" if part.round > 1 else "")
        rows.append(
            [
                str(i),
                s.number_label,
                s.title,
                s.lead_deputy.name,
                role,
                others_label or "—",
                date_cn(part.assigned_on),
                deadline,
            ]
        )
    opening = (
        f"现将{session.name}代表建议{len(parts)}件交你单位办理"
        + (f"，其中{split}" if split else "")
        + "，具体见下表。请认真研究办理，按期答复代表。"
    )
    notice = Notice(
        issuer=issuer(),
        title=_title(session),
        addressee=f"{unit.name}：",
        contact=contact_line(contact),
        date=date_cn(today),
        filename=f"交办通知单-{unit.name}-{session.short_name}.docx",
    )
    notice.blocks = [
        Paragraph(opening),
        Table(
            rows or [["", "", "（本届次没有交你单位办理的建议）", "", "", "", "", ""]],
            header=[
                "序号",
                "建议编号",
                "案由",
                "领衔代表",
                "承办方式",
                "其他承办单位",
                "交办日期",
                "办理期限",
            ],
            widths=[10, 17, 48, 16, 14, 28, 21, 22],
        ),
        Heading("办理要求"),
        *rules_paragraphs(),
    ]
    return notice


# --- 督办通知单 ----------------------------------------------------------------------------------------------------


def supervision_parts(suggestion):
    """The units a supervision note is addressed to: the round's current parts still open (all of the round's
    parts once none is), the lead unit first."""
    parts = sorted(
        (
            p
            for p in suggestion.assignments.all()
            if p.round == suggestion.round and p.state != Assignment.State.REASSIGNED
        ),
        key=lambda p: (ROLE_ORDER[p.role], p.pk),
    )
    open_parts = [p for p in parts if p.is_open]
    return open_parts or parts


def supervision_notice(note, *, today=None) -> Notice:
    """The 督办通知单 (or 催办通知单) of ``note``: its suggestion, its units, the note and the date it asks for."""
    s = note.suggestion
    kind = note.get_kind_display()
    parts = supervision_parts(s)
    roles = "；".join(
        f"{label}：{_names([p for p in parts if p.role == value])}"
        for value, label in A.choices
        if any(p.role == value for p in parts)
    )
    written = timezone.localdate(note.created_at)
    state = s.get_state_display()
    if s.is_overdue(written):
        state += f"（已超过办理期限{(written - s.deadline).days}天）"
    rows = [
        ["建议编号", s.number_label],
        ["案由", s.title],
        ["领衔代表", _deputy_label(s)],
        ["承办单位", roles or "尚未交办"],
        ["交办日期", date_cn(s.assigned_on) or "—"],
        ["办理期限", date_cn(s.deadline) or "—"],
        ["办理状态", state],
        [f"{kind}方式", note.get_method_display()],
        [f"{kind}时间", date_cn(note.created_at)],
        ["要求办结时间", date_cn(note.due_on) if note.due_on else "按办理期限"],
    ]
    if note.due_on:
        ask = f"请于{date_cn(note.due_on)}前办结，并将办理情况报{issuer()}。"
    else:
        ask = f"请抓紧办理，在办理期限内答复代表，并将办理情况报{issuer()}。"
    notice = Notice(
        issuer=issuer(),
        title=f"代表建议{kind}通知单",
        addressee=f"{_names(parts)}：" if parts else "",
        contact=contact_line(note.author),
        date=date_cn(note.created_at),
        filename=f"{kind}通知单-{s.number_label}-{date_cn(note.created_at)}.docx",
    )
    notice.blocks = [
        Paragraph(f"{s.session.name}{s.number_label}建议由你单位办理，现就办理情况{kind}如下。"),
        Table(rows),
        Heading(f"{kind}意见"),
        Paragraph(note.text),
        Paragraph(ask, bold=bool(note.due_on)),
    ]
    return notice
