"""The print button and the notices a person may download, under a suggestion's page.

``base.html`` calls ``{% suggestion_documents %}`` in its ``documents`` block: it renders only where the context
holds a ``SuggestionPage`` (the suggestion's page), and reads what that page already fetched (its parts and
notes), so it costs no query."""

from django import template

from .. import notices
from ..access import SuggestionPage
from ..models import Assignment

register = template.Library()


@register.inclusion_tag("suggestions/_documents.html", takes_context=True)
def suggestion_documents(context):
    page = context.get("page")
    if not isinstance(page, SuggestionPage):
        return {"show": False}
    user, s = page.user, page.suggestion
    parts = [
        p
        for p in page.parts
        if p.round == s.round
        and p.state != Assignment.State.REASSIGNED
        and notices.may_download_assignment_notice(user, p)
    ]
    notes = (
        [n for n in page.notes if n.kind in notices.SUPERVISION_KINDS]
        if notices.may_download_supervision_notice(user)
        else []
    )
    return {"show": True, "parts": parts, "notes": notes}
