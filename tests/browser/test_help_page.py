"""The public help page in a real phone browser, all seven languages in one browser: axe finds no serious or
critical violation, nothing fails to load, and the whole transfer stays under 100 KB."""

from collections import defaultdict

import pytest

from safepassage.network.help import HELP_LANGUAGES

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_help_page_passes_axe_in_every_language_on_a_phone(phone):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    loaded: dict[str, list[int]] = defaultdict(list)
    current = ["en"]
    phone.page.on("response", lambda response: loaded[current[0]].append(len(response.body())))
    for language in HELP_LANGUAGES:
        current[0] = language
        phone.goto("/help/" if language == "en" else f"/help/{language}/")
        phone.page.wait_for_load_state("load")
        sizes = list(loaded[language])  # before axe injects its own script
        assert len(sizes) == 1, (language, sizes)  # the page alone: nothing else to fetch
        assert 0 < sizes[0] < 100 * 1024, (language, sizes)
        current[0] = "axe"
        results = axe.run(phone.page)
        serious = [
            f"{v['id']}: {v['help']}"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        assert serious == [], (language, serious)
        assert phone.page.locator("h1").count() == 1
        assert phone.errors == [], (language, phone.errors)
