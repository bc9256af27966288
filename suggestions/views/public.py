"""公开: the public portal, open without login: published replies, masked (suggestions/publication.py).

The pages are the same for everyone, so each is cached for a minute (Django's cache, keyed by the address with
its query) and says so in ``Cache-Control``; a reply published or withheld shows within that minute. With a read
replica they read from it (suggestions/db_routers.py).
"""

import re

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control, cache_page
from django.views.decorators.http import require_safe

from .. import publication
from ..db_routers import replica_reads
from ..models import Category, CongressSession, HandlingUnit

PAGE_SIZE = 20
CACHE_SECONDS = 60
LONG_NUMBER = re.compile(r"[0-9０-９]{5,}")


def _choice(model, value):
    """The ``model`` row chosen in the form, None for none; a bad value is (None, True)."""
    if not value:
        return None, False
    try:
        return model.objects.filter(pk=int(value)).first(), False
    except ValueError:
        return None, True


def _portal(view):
    return login_not_required(
        cache_control(public=True, max_age=CACHE_SECONDS)(
            require_safe(cache_page(CACHE_SECONDS)(replica_reads()(view)))
        )
    )


@_portal
def reply_list(request):
    """公开答复: the published replies, searched by session, category, unit and words."""
    errors = []
    chosen = {}
    for name, model in (("session", CongressSession), ("category", Category), ("unit", HandlingUnit)):
        chosen[name], bad = _choice(model, request.GET.get(name, ""))
        if bad:
            errors.append("所选条件无效，已忽略。")
    text = request.GET.get("q", "").strip()[:100]
    if LONG_NUMBER.search(text):
        errors.append("检索词中的长串数字（如电话号码）不作检索，已忽略。")
        text = LONG_NUMBER.sub(" ", text).strip()
    replies = publication.search(publication.published_replies(), text=text, **chosen)
    page = Paginator(replies, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": [publication.public_view(r) for r in page.object_list],
        "sessions": CongressSession.objects.order_by("-year", "-meeting"),
        "categories": Category.objects.all(),
        "units": HandlingUnit.objects.filter(is_active=True),
        "chosen": {k: v.pk if v else None for k, v in chosen.items()},
        "text": text,
        "query": query.urlencode(),
        "errors": sorted(set(errors)),
    }
    return render(request, "public/list.html", context)


@_portal
def reply_detail(request, pk):
    """One published reply in full, with its suggestion."""
    reply = publication.published_replies().filter(pk=pk).first()
    if reply is None:
        raise Http404("该答复未公开或不存在。")
    return render(request, "public/reply.html", {"row": publication.public_view(reply)})
