"""Forms: registering a suggestion, and one small form per workflow action.

An action form knows the suggestion (and the assignment) it acts on, validates what a person typed, and gives
``perform`` its keyword arguments through ``action_data()``. The rules themselves stay in ``workflow``.
"""

from .base import (  # noqa: F401
    DATE_INPUT,
    PLAN_LINE,
    TEXTAREA,
    YES_NO,
    ActionForm,
    ConfirmForm,
    NoteForm,
    PdfField,
    PickerSelect,
    PickerSelectMultiple,
    ReasonForm,
    picker,
    style,
    unit_keywords,
)
from .batch import (  # noqa: F401
    BatchForm,
    SuggestionIdsField,
)
from .handling import (  # noqa: F401
    AddUnitForm,
    AssignForm,
    HandOverForm,
    LogContactForm,
    RequestExtensionForm,
    RequestReassignmentForm,
    RuleExtensionForm,
    RuleReassignmentForm,
    SendOpinionForm,
)
from .oversight import (  # noqa: F401
    CommentForm,
    FollowUpForm,
    LinkCommitmentForm,
    MergeForm,
    OrderKeyForm,
    PublishForm,
    RelateForm,
    SuperviseForm,
)
from .replies import (  # noqa: F401
    DraftReplyForm,
    RateForm,
    RecordRatingForm,
    ReturnDraftForm,
    ReviewReplyForm,
    SignReplyForm,
    SubmitReplyForm,
    merged_in_step,
)
from .suggestion import (  # noqa: F401
    SuggestionForm,
)

ACTION_FORMS = {
    "assign": AssignForm,
    "add_unit": AddUnitForm,
    "hand_over": HandOverForm,
    "withdraw": ReasonForm,
    "sign_for": ConfirmForm,
    "request_reassignment": RequestReassignmentForm,
    "rule_reassignment": RuleReassignmentForm,
    "request_extension": RequestExtensionForm,
    "rule_extension": RuleExtensionForm,
    "log_contact": LogContactForm,
    "send_opinion": SendOpinionForm,
    "draft_reply": DraftReplyForm,
    "sign_reply": SignReplyForm,
    "return_draft": ReturnDraftForm,
    "submit_reply": SubmitReplyForm,
    "review_reply": ReviewReplyForm,
    "rate": RateForm,
    "record_rating": RecordRatingForm,
    "rehandle": ReasonForm,
    "close": NoteForm,
    "publish": PublishForm,
    "supervise": SuperviseForm,
    "order_key": OrderKeyForm,
    "comment": CommentForm,
    "follow_up": FollowUpForm,
    "relate": RelateForm,
    "unrelate": RelateForm,
    "merge": MergeForm,
    "split": ReasonForm,
    "link_commitment": LinkCommitmentForm,
}
