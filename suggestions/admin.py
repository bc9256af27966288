"""The Django admin: reference data kept by the office, and a read-only window on the records of handling.

States change only through ``suggestions.workflow``. Here:

- reference data (sessions, delegations, deputies, categories, leaders, units) is edited freely;
- a suggestion's registration details are edited through ``workflow.register`` / ``workflow.perform("edit")``,
  so every change lands in its timeline; its state and the summary fields the workflow keeps are read-only,
  and it cannot be deleted;
- assignments, requests, contacts, opinions, replies, ratings, re-handlings, notes and follow-ups are
  read-only (the workflow screens make them); the event log is read-only for everybody, superusers too.

Every change list selects its foreign keys in the one query, so it costs the same for 5 rows or 500.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils import timezone

from . import formats, workflow
from .models import (
    Assignment,
    Category,
    Commitment,
    CommitmentFollowUp,
    CommitmentReminder,
    CongressSession,
    ContactRecord,
    CoUnitOpinion,
    Delegation,
    Delivery,
    Deputy,
    Event,
    ExtensionRequest,
    HandlingUnit,
    HolidayDay,
    Job,
    Leader,
    Milestone,
    Notification,
    Rating,
    ReassignmentRequest,
    Rehandling,
    Reminder,
    Reply,
    Suggestion,
    SupervisionNote,
)

# --- shared pieces -------------------------------------------------------------------------------------------


class ReadOnlyAdminMixin:
    """View only: the records are written by the workflow, never by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_per_page = 50


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False


class NumberSearchMixin:
    """「第12号」 finds suggestion number 12, as offices write it."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, formats.strip_number_labels(search_term))


# --- reference data ------------------------------------------------------------------------------------------


@admin.register(CongressSession)
class CongressSessionAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "year", "term", "meeting", "opened_on", "is_current")
    list_filter = ("is_current", "year", "term")
    search_fields = ("name",)
    ordering = ("-year", "-meeting")

    @admin.display(description="简称")
    def short_name(self, obj):
        return obj.short_name


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)
    search_fields = ("name",)
    ordering = ("order", "name")


@admin.register(Deputy)
class DeputyAdmin(admin.ModelAdmin):
    list_display = ("name", "delegation", "workplace", "phone", "is_active")
    list_filter = ("is_active", "delegation")
    search_fields = ("name", "workplace", "phone", "delegation__name")
    list_select_related = ("delegation",)
    ordering = ("delegation__order", "delegation__name", "name")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    ordering = ("order", "name")


@admin.register(Leader)
class LeaderAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "portfolio", "order", "is_active")
    list_filter = ("is_active", "title")
    search_fields = ("name", "title", "portfolio")
    ordering = ("order", "name")


@admin.register(HandlingUnit)
class HandlingUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "leader", "document_prefix", "order", "is_active")
    list_filter = ("kind", "is_active", "leader")
    search_fields = ("name", "short_name", "document_prefix")
    list_select_related = ("leader",)
    ordering = ("order", "name")


# --- the suggestion ------------------------------------------------------------------------------------------

WORKFLOW_FIELDS = (
    "state",
    "round",
    "lead_unit",
    "assigned_on",
    "deadline",
    "replied_at",
    "result_class",
    "rating",
    "first_rating",
    "rated_unsatisfied",
    "contacted",
    "met",
    "closed_at",
    "other_organ",
)
RECORD_FIELDS = ("created_by", "created_at", "updated_at")
EDIT = workflow.ACTIONS["edit"]


class SuggestionAdminForm(forms.ModelForm):
    class Meta:
        model = Suggestion
        fields = workflow.REGISTRATION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "delegation" in self.fields:
            self.fields["delegation"].required = False
            self.fields["delegation"].help_text = "留空则取领衔代表所在代表团。"

    def _post_clean(self):
        # the model's checks, then the workflow's registration rules, with the workflow's own messages
        super()._post_clean()
        if not self.errors:
            try:
                workflow.settle_registration(self.instance)
            except workflow.WorkflowError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    verbose_name_plural = "交办记录（各轮次各单位）"
    fields = (
        "round",
        "unit",
        "role",
        "state",
        "assigned_on",
        "deadline",
        "overdue",
        "signed_at",
        "completed_at",
    )
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")

    @admin.display(description="超期", boolean=True)
    def overdue(self, obj):
        return obj.is_overdue()


class EventInline(ReadOnlyInline):
    model = Event
    fk_name = "suggestion"
    verbose_name_plural = "办理日志（时间线）"
    fields = ("created_at", "label", "actor_name", "from_state_name", "to_state_name", "note")
    readonly_fields = fields

    @admin.display(description="原状态")
    def from_state_name(self, obj):
        return obj.from_state_label

    @admin.display(description="新状态")
    def to_state_name(self, obj):
        return obj.to_state_label


@admin.register(Suggestion)
class SuggestionAdmin(NumberSearchMixin, admin.ModelAdmin):
    form = SuggestionAdminForm
    list_display = (
        "number_label",
        "title",
        "session",
        "lead_deputy",
        "category",
        "is_key",
        "lead_unit",
        "state",
        "deadline",
        "overdue",
        "result_class",
        "rating",
    )
    list_display_links = ("number_label", "title")
    list_filter = (
        "session",
        "state",
        "category",
        "is_key",
        "leader",
        "supervising_leader",
        ("lead_unit", admin.RelatedOnlyFieldListFilter),
        "result_class",
        "rating",
        "source",
        "delegation",
    )
    search_fields = (
        "title",
        "=number",
        "lead_deputy__name",
        "joint_deputies__name",
        "lead_unit__name",
        "delegation__name",
        "other_organ",
    )
    search_help_text = "按案由、编号（如 12 或 第12号）、代表、主办单位或代表团查找"
    list_select_related = ("session", "lead_deputy", "category", "lead_unit")
    autocomplete_fields = ("lead_deputy", "joint_deputies")
    date_hierarchy = "created_at"
    ordering = ("-session__year", "-session__meeting", "number")
    readonly_fields = (*WORKFLOW_FIELDS, *RECORD_FIELDS)
    inlines = (AssignmentInline, EventInline)
    actions = None  # no bulk "delete selected": a suggestion is never deleted

    registration_fieldsets = (
        ("登记信息", {"fields": ("session", "number", "title", "content", "source", "submitted_on")}),
        ("代表", {"fields": ("lead_deputy", "joint_deputies", "delegation")}),
        ("分类与督办", {"fields": ("category", "leader", "is_key", "supervising_leader", "remarks")}),
    )
    fieldsets = (
        *registration_fieldsets,
        (
            "办理情况（由办理流程维护，此处只读）",
            {"fields": WORKFLOW_FIELDS},
        ),
        ("登记记录", {"fields": RECORD_FIELDS, "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_overdue()  # the 超期 column asks no query per row

    @admin.display(description="编号", ordering="number")
    def number_label(self, obj):
        return obj.number_label

    @admin.display(description="超期", boolean=True)
    def overdue(self, obj):
        return obj.is_overdue()

    def get_fieldsets(self, request, obj=None):
        return self.registration_fieldsets if obj is None else self.fieldsets

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    # permissions: add = register, change = the workflow's "edit" (only while the suggestion is open to edits)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.has_perm(workflow.REGISTER.permission)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj) or not request.user.has_perm(EDIT.permission):
            return False
        return obj is None or obj.state in EDIT.states

    def has_delete_permission(self, request, obj=None):
        return False

    # saving goes through the workflow, so the timeline shows who registered or changed what

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            fields = {name: data[name] for name in workflow.REGISTRATION_FIELDS if name in data}
            joint = fields.pop("joint_deputies", ())
            created = workflow.register(user=request.user, joint_deputies=joint, **fields)
            for f in obj._meta.concrete_fields:
                setattr(obj, f.attname, getattr(created, f.attname))
            obj._state.adding, obj._state.db = False, created._state.db
            return
        changed = {name: data[name] for name in form.changed_data if name in workflow.REGISTRATION_FIELDS}
        if not changed:
            return
        try:
            workflow.perform(EDIT.name, user=request.user, suggestion=obj, at=timezone.now(), **changed)
        except workflow.WorkflowError as exc:
            request._workflow_refusal = exc.message

    def save_related(self, request, form, formsets, change):
        # joint deputies were saved by the workflow; the inlines are read-only
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def log_change(self, request, obj, message):
        if getattr(request, "_workflow_refusal", None):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        refusal = getattr(request, "_workflow_refusal", None)
        if refusal:
            self.message_user(request, f"未保存：{refusal}", messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


# --- the records of handling (written by the workflow) -------------------------------------------------------

SUGGESTION_SEARCH = ("assignment__suggestion__title", "=assignment__suggestion__number")


@admin.register(Assignment)
class AssignmentAdmin(NumberSearchMixin, ReadOnlyAdmin):
    list_display = (
        "suggestion",
        "unit",
        "role",
        "round",
        "state",
        "assigned_on",
        "deadline",
        "overdue",
        "signed_at",
        "completed_at",
    )
    list_filter = (
        "suggestion__session",
        "state",
        "role",
        "round",
        ("unit", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("suggestion__title", "=suggestion__number", "unit__name", "unit__short_name")
    list_select_related = ("suggestion", "unit")
    date_hierarchy = "assigned_on"
    ordering = ("-assigned_on", "suggestion__number", "id")

    @admin.display(description="超期", boolean=True)
    def overdue(self, obj):
        return obj.is_overdue()


class _RequestAdmin(NumberSearchMixin, ReadOnlyAdmin):
    list_filter = (
        "assignment__suggestion__session",
        "status",
        ("assignment__unit", admin.RelatedOnlyFieldListFilter),
    )
    date_hierarchy = "requested_at"
    ordering = ("-requested_at",)


@admin.register(ReassignmentRequest)
class ReassignmentRequestAdmin(_RequestAdmin):
    list_display = (
        "assignment__suggestion",
        "assignment__unit",
        "proposed_unit",
        "requested_by",
        "requested_at",
        "status",
        "new_unit",
        "ruled_by",
        "ruled_at",
    )
    search_fields = (*SUGGESTION_SEARCH, "assignment__unit__name", "reason", "ruling_note")
    list_select_related = (
        "assignment__suggestion",
        "assignment__unit",
        "proposed_unit",
        "new_unit",
        "requested_by",
        "ruled_by",
    )


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(_RequestAdmin):
    list_display = (
        "assignment__suggestion",
        "assignment__unit",
        "requested_deadline",
        "requested_by",
        "requested_at",
        "status",
        "granted_deadline",
        "ruled_by",
        "ruled_at",
    )
    search_fields = (*SUGGESTION_SEARCH, "assignment__unit__name", "grounds", "ruling_note")
    list_select_related = ("assignment__suggestion", "assignment__unit", "requested_by", "ruled_by")


@admin.register(ContactRecord)
class ContactRecordAdmin(NumberSearchMixin, ReadOnlyAdmin):
    list_display = (
        "contacted_on",
        "assignment__suggestion",
        "assignment__unit",
        "method",
        "participants",
        "recorded_by",
    )
    list_filter = (
        "assignment__suggestion__session",
        "method",
        ("assignment__unit", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (*SUGGESTION_SEARCH, "assignment__unit__name", "participants", "summary")
    list_select_related = ("assignment__suggestion", "assignment__unit", "recorded_by")
    date_hierarchy = "contacted_on"
    ordering = ("-contacted_on", "-id")


@admin.register(CoUnitOpinion)
class CoUnitOpinionAdmin(NumberSearchMixin, ReadOnlyAdmin):
    list_display = ("assignment__suggestion", "assignment__unit", "signer", "sent_by", "sent_at")
    list_filter = (
        "assignment__suggestion__session",
        ("assignment__unit", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (*SUGGESTION_SEARCH, "assignment__unit__name", "signer", "text")
    list_select_related = ("assignment__suggestion", "assignment__unit", "sent_by")
    date_hierarchy = "sent_at"
    ordering = ("-sent_at",)


@admin.register(Reply)
class ReplyAdmin(NumberSearchMixin, ReadOnlyAdmin):
    list_display = (
        "document_number",
        "assignment__suggestion",
        "assignment__unit",
        "result_class",
        "state",
        "signer",
        "submitted_at",
        "reviewed_at",
        "is_public",
        "published_at",
        "commitment_due",
        "commitment_done_on",
    )
    list_filter = (
        "assignment__suggestion__session",
        "state",
        "result_class",
        "is_public",
        ("commitment_done_on", admin.EmptyFieldListFilter),
        ("assignment__unit", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        *SUGGESTION_SEARCH,
        "document_number",
        "assignment__unit__name",
        "signer",
        "contact_person",
    )
    list_select_related = ("assignment__suggestion", "assignment__unit")
    date_hierarchy = "drafted_at"
    ordering = ("-drafted_at",)
    # The signed letter is served only through the app's own view, which checks who may see it.
    exclude = ("attachment",)
    readonly_fields = ("attachment_name",)

    @admin.display(description="签发件（PDF）")
    def attachment_name(self, obj):
        return obj.attachment.name.rsplit("/", 1)[-1] if obj.attachment else "-"


@admin.register(Rating)
class RatingAdmin(NumberSearchMixin, ReadOnlyAdmin):
    list_display = (
        "reply__assignment__suggestion",
        "reply__document_number",
        "deputy",
        "overall",
        "process",
        "result",
        "source",
        "recorded_by",
        "rated_at",
    )
    list_filter = (
        "reply__assignment__suggestion__session",
        "overall",
        "process",
        "result",
        "source",
    )
    search_fields = (
        "reply__assignment__suggestion__title",
        "=reply__assignment__suggestion__number",
        "reply__document_number",
        "deputy__name",
        "comment",
    )
    list_select_related = ("reply__assignment__suggestion", "deputy", "recorded_by")
    date_hierarchy = "rated_at"
    ordering = ("-rated_at",)


@admin.register(Rehandling)
class RehandlingAdmin(NumberSearchMixin, ReadOnlyAdmin):
    list_display = ("suggestion", "round", "deadline", "created_by", "created_at")
    list_filter = ("suggestion__session", "round")
    search_fields = ("suggestion__title", "=suggestion__number", "reason")
    list_select_related = ("suggestion", "created_by")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)


@admin.register(SupervisionNote)
class SupervisionNoteAdmin(NumberSearchMixin, ReadOnlyAdmin):
    list_display = ("created_at", "suggestion", "kind", "method", "due_on", "author", "excerpt")
    list_filter = ("suggestion__session", "kind", "method")
    search_fields = ("suggestion__title", "=suggestion__number", "text", "author__name")
    list_select_related = ("suggestion", "author")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)

    @admin.display(description="内容")
    def excerpt(self, obj):
        return obj.text if len(obj.text) <= 40 else obj.text[:40] + "…"


@admin.register(CommitmentFollowUp)
class CommitmentFollowUpAdmin(NumberSearchMixin, ReadOnlyAdmin):
    list_display = (
        "followed_on",
        "reply__assignment__suggestion",
        "reply__document_number",
        "reply__assignment__unit",
        "is_done",
        "recorded_by",
    )
    list_filter = ("reply__assignment__suggestion__session", "is_done")
    search_fields = (
        "reply__assignment__suggestion__title",
        "=reply__assignment__suggestion__number",
        "reply__document_number",
        "progress",
    )
    list_select_related = ("reply__assignment__suggestion", "reply__assignment__unit", "recorded_by")
    date_hierarchy = "followed_on"
    ordering = ("-followed_on", "-id")


@admin.register(Commitment)
class CommitmentAdmin(NumberSearchMixin, ReadOnlyAdmin):
    """承诺事项: written with the reply and its follow-ups, through the workflow."""

    list_display = (
        "reply__assignment__suggestion",
        "reply__assignment__unit",
        "text",
        "due",
        "percent",
        "done_on",
    )
    list_filter = ("reply__assignment__suggestion__session", ("done_on", admin.EmptyFieldListFilter))
    search_fields = ("reply__assignment__suggestion__title", "=reply__assignment__suggestion__number", "text")
    list_select_related = ("reply__assignment__suggestion", "reply__assignment__unit")
    ordering = ("due", "id")


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ("commitment", "due", "text")
    list_select_related = ("commitment",)
    ordering = ("due", "id")


@admin.register(CommitmentReminder)
class CommitmentReminderAdmin(ReadOnlyAdmin):
    """承诺到期提醒 sent by the daily command once a target date passed."""

    list_display = ("sent_at", "commitment", "due")
    list_select_related = ("commitment",)
    ordering = ("-sent_at", "-id")


@admin.register(Reminder)
class ReminderAdmin(NumberSearchMixin, ReadOnlyAdmin):
    """催办 sent automatically around deadlines: a log written by the daily command."""

    list_display = ("sent_at", "assignment__suggestion", "assignment__unit", "stage", "deadline")
    list_filter = (
        "assignment__suggestion__session",
        "stage",
        ("assignment__unit", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (*SUGGESTION_SEARCH, "assignment__unit__name")
    list_select_related = ("assignment__suggestion", "assignment__unit")
    date_hierarchy = "sent_at"
    ordering = ("-sent_at", "-id")


@admin.register(Event)
class EventAdmin(NumberSearchMixin, ReadOnlyAdmin):
    """The timeline is append-only: nobody adds, changes or deletes an event here, superusers included."""

    list_display = (
        "created_at",
        "suggestion",
        "label",
        "actor_name",
        "assignment__unit",
        "from_state_name",
        "to_state_name",
        "note",
    )
    list_filter = ("suggestion__session", "label")
    search_fields = ("suggestion__title", "=suggestion__number", "actor_name", "label", "note")
    list_select_related = ("suggestion", "assignment__unit")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")

    @admin.display(description="原状态")
    def from_state_name(self, obj):
        return obj.from_state_label

    @admin.display(description="新状态")
    def to_state_name(self, obj):
        return obj.to_state_label


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """What went out by email and text message; the office's 消息发送 page lists them too and retries them."""

    list_display = (
        "created_at",
        "channel",
        "address",
        "notification__recipient",
        "state",
        "attempts",
        "sent_at",
    )
    list_filter = ("state", "channel")
    search_fields = ("address", "notification__text", "notification__recipient__username")
    list_select_related = ("notification__recipient",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "event__label", "text", "suggestion", "read_at", "emailed_at")
    list_filter = (
        "event__label",
        ("read_at", admin.EmptyFieldListFilter),
        ("emailed_at", admin.EmptyFieldListFilter),
    )
    search_fields = ("text", "recipient__username", "recipient__name")
    list_select_related = ("recipient", "suggestion", "event")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")


@admin.register(HolidayDay)
class HolidayDayAdmin(ReadOnlyAdmin):
    """The entered 节假日安排, to read: a year is entered or deleted on the office's page 「节假日安排」 (or with
    ``manage.py holidays``), which counts the deadlines again; a day changed here would not."""

    list_display = ("date", "kind", "name", "year", "entered_by", "entered_at")
    list_filter = ("year", "kind")
    list_select_related = ("entered_by",)
    ordering = ("date",)


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Who ran which long job (exports, reports, imports) and how it went; the file itself stays its owner's
    alone, downloaded from 「我的下载」 (``access.job_for``), so it is not offered here."""

    list_display = (
        "created_at",
        "owner",
        "kind",
        "title",
        "state",
        "done",
        "total",
        "finished_at",
        "expires_at",
    )
    list_filter = ("kind", "state")
    search_fields = ("title", "owner__username", "owner__name")
    list_select_related = ("owner",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = (
        "owner",
        "kind",
        "title",
        "parameters",
        "state",
        "done",
        "total",
        "filename",
        "error",
        "created_at",
        "finished_at",
        "expires_at",
    )


# the indexes and tallies the app keeps for itself, to read: their own module
from . import admin_kept  # noqa: E402, F401
