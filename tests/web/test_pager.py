"""The pager keeps every filter, and a page with two lists pages each under its own name."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def pager(query: str, **context: object) -> str:
    request = RequestFactory().get("/cases/referrals/?" + query)
    return render_to_string("web/pager.html", {"request": request, **context})


def test_the_pager_keeps_the_filters():
    html = pager("status=open&page=2", page=Paginator(range(100), 30).get_page(2))
    assert 'href="?status=open&amp;page=1"' in html and 'href="?status=open&amp;page=3"' in html


def test_a_second_list_on_the_same_page_has_its_own_page_number():
    html = pager("page=2&sent=1", page=Paginator(range(100), 30).get_page(1), param="sent")
    assert 'href="?page=2&amp;sent=2"' in html  # the first list stays on its page 2
