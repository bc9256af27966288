"""Helpers the view tests share: posting an action the way its modal form does, and reading a page back."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from suggestions.models import Suggestion

DATA_ACTION = re.compile(r'data-action="([a-z_]+)"')

REPLY_FORM = {
    "document_number": "霍交函〔2025〕12号",
    "contact_person": "周敏",
    "contact_phone": "0357-5620000",
    "result_class": "A",
    "text": "经研究，答复如下：一、……",
}

# Smallest file a PDF reader opens: header, one empty page, cross-reference table, trailer.
PDF_BYTES = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \n"
    b"trailer << /Size 4 /Root 1 0 R >>\nstartxref\n188\n%%EOF\n"
)


def act_url(suggestion, action, assignment=None):
    if assignment is None:
        return reverse("suggestions:act", args=[suggestion.pk, action])
    return reverse("suggestions:act_on", args=[suggestion.pk, action, assignment.pk])


def detail_url(suggestion):
    return reverse("suggestions:detail", args=[suggestion.pk])


def post_action(client, suggestion, action, data=None, assignment=None, follow=True):
    """POST an action's form as its modal does; by default follow the redirect back to the detail page."""
    return client.post(act_url(suggestion, action, assignment), data or {}, follow=follow)


def buttons(response):
    """The ``data-action`` of every action button on a detail page, in page order."""
    return DATA_ACTION.findall(response.content.decode())


def text(response):
    return response.content.decode()


def state_of(suggestion):
    return Suggestion.objects.values_list("state", flat=True).get(pk=suggestion.pk)


def today():
    return timezone.localdate()


def iso(day):
    return day.isoformat()


def dated_today(journey):
    """Let ``journey`` act now, a minute a step, so deadlines and the reassignment window are still open."""
    journey.at = timezone.now() - datetime.timedelta(hours=1)

    def step(days=1):
        journey.at += datetime.timedelta(minutes=1)
        return journey.at

    journey.step = step
    return journey


def section(response, element_id):
    """The HTML of the card (or modal) with ``id=element_id``, up to the next card, modal or script."""
    html = text(response)
    start = html.index(f'id="{element_id}"')
    markers = ('<div class="card ', '<div class="card"', '<div class="modal ', "<script")
    ends = [i for m in markers if (i := html.find(m, start + 1)) > 0]
    return html[start : min(ends, default=len(html))]


def timeline(response):
    return section(response, "timeline")


def field_errors(response, modal_id, field):
    """The error lines shown under ``field`` inside the modal ``modal_id``: what the person sees next to it.

    A field laid out by ``_form_fields.html`` sits in its ``data-field`` block; a field placed by hand (the
    rating form) is followed by its errors up to the next label."""
    modal = section(response, modal_id)
    if f'data-field="{field}"' in modal:
        start = modal.index(f'data-field="{field}"')
        end = modal.find("data-field=", start + 1)
    else:
        start = modal.index(f'name="{field}"')
        end = modal.find("<label", start)
    block = modal[start : end if end > 0 else len(modal)]
    return re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', block)


def messages_shown(response):
    """The texts of the messages framework's alerts on the page."""
    found = re.findall(r'alert-dismissible" role="alert">\s*(.*?)\s*<button', text(response), re.S)
    return [m.strip() for m in found]
