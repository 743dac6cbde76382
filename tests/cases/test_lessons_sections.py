"""Lessons learned is read one figure at a time: a table of contents names every figure and its tables,
each link opens that section with the same filters, and the whole report is one link away for printing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from safepassage.cases import lessons
from safepassage.testing import web_client

from .test_lessons import cases_a  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
URL = reverse("cases:lessons")


def tables_on(html: str) -> set[str]:
    return set(re.findall(r'<table class="responsive report" id="lessons-([a-z_]+)"', html))


def test_the_page_opens_on_the_first_figure_with_a_table_of_contents(world, cases_a):  # noqa: F811
    html = web_client(world.coordinator_a).get(URL).content.decode()
    assert tables_on(html) == {"recruitment_methods", "relationship_to_trafficker", "recruitment_apps"}
    toc = html[html.index('<nav class="toc') :]
    toc = toc[: toc.index("</nav>")]
    for number, title in lessons.figure_titles().items():
        assert f"section={number}" in toc and title in toc
    # Every table is named in the contents, with a link to it in its section.
    for table in lessons.lessons(world.coordinator_a)["tables"].values():
        assert f'#table-{table["id"]}"' in toc and table["title"] in toc
    assert 'aria-current="true"' in toc
    assert 'id="routes-map"' not in html  # the map is in figure 3


def test_each_section_shows_its_own_tables_and_keeps_the_filters(world, cases_a):  # noqa: F811
    client = web_client(world.coordinator_a)
    html = client.get(URL, {"section": "6", "sex": "female"}).content.decode()
    assert tables_on(html) == {"stages"}
    assert 'value="female" selected' in html
    # The contents and the next and previous links keep the filter.
    assert "sex=female&amp;section=5" in html and "sex=female&amp;section=7" in html
    assert '<input type="hidden" name="section" value="6">' in html
    html = client.get(URL, {"section": "3"}).content.decode()
    assert tables_on(html) == {"routes"} and 'id="routes-map"' in html


def test_every_figure_on_one_page_for_printing(world, cases_a):  # noqa: F811
    html = web_client(world.coordinator_a).get(URL, {"section": "all"}).content.decode()
    assert tables_on(html) == set(lessons.TABLE_IDS)


def test_an_unknown_section_opens_the_first(world, cases_a):  # noqa: F811
    html = web_client(world.coordinator_a).get(URL, {"section": "99"}).content.decode()
    assert tables_on(html) == {"recruitment_methods", "relationship_to_trafficker", "recruitment_apps"}


def test_the_csv_links_carry_only_the_filters(world, cases_a):  # noqa: F811
    html = web_client(world.coordinator_a).get(URL, {"section": "2", "age": "15-17"}).content.decode()
    assert f'{reverse("cases:lessons_csv", args=["recruiters"])}?age=15-17"' in html
