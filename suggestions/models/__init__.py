from .commitments import Commitment, CommitmentReminder, Milestone
from .deliveries import Delivery
from .events import AppendOnlyError, Event, Notification
from .figures import FigureRevision, FigureTally
from .handling import (
    CommitmentFollowUp,
    ContactRecord,
    CoUnitOpinion,
    ExtensionRequest,
    Rating,
    ReassignmentRequest,
    Rehandling,
    Reply,
    Ruling,
    SupervisionNote,
)
from .holidays import HolidayDay
from .jobs import Job
from .reference import DEFAULT_CATEGORIES, Category, CongressSession, Delegation, Deputy, HandlingUnit, Leader
from .reminders import Reminder
from .search import SearchDocument, SearchTerm, SuggestionSearchText
from .suggestion import Assignment, RatingLevel, Suggestion

__all__ = [
    "DEFAULT_CATEGORIES",
    "AppendOnlyError",
    "Assignment",
    "Category",
    "Commitment",
    "CommitmentFollowUp",
    "CommitmentReminder",
    "CongressSession",
    "ContactRecord",
    "CoUnitOpinion",
    "Delegation",
    "Delivery",
    "Deputy",
    "Event",
    "ExtensionRequest",
    "FigureRevision",
    "FigureTally",
    "HandlingUnit",
    "HolidayDay",
    "Job",
    "Leader",
    "Milestone",
    "Notification",
    "Rating",
    "SearchDocument",
    "SearchTerm",
    "RatingLevel",
    "ReassignmentRequest",
    "Rehandling",
    "Reminder",
    "Reply",
    "Ruling",
    "Suggestion",
    "SuggestionSearchText",
    "SupervisionNote",
]
