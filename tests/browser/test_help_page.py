"""The public help page in a real phone browser, all seven languages in one browser: axe finds no serious or
critical violation, nothing fails to load, and the whole transfer stays under 100 KB."""

from collections import defaultdict

import pytest

from safepassage.network.help import HELP_LANGUAGES

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_help_page_passes_axe_in_every_language_on_a_phone(phone):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    requested: dict[str, list[str]] = defaultdict(list)
    current = ["en"]
    phone.page.on("request", lambda request: requested[current[0]].append(request.url))
    for language in HELP_LANGUAGES:
        current[0] = language
        response = phone.goto("/help/" if language == "en" else f"/help/{language}/")
        phone.page.wait_for_load_state("load")
        phone.page.wait_for_timeout(200)  # any late request (a favicon) would show here
        assert 0 < len(response.body()) < 100 * 1024, language
        # the page alone: nothing else to fetch (before axe injects its own script)
        assert requested[language] == [response.url], (language, requested[language])
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
