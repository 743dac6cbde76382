from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "safepassage.cases"
    label = "cases"
    verbose_name = _("Cases and lessons learned")

    def ready(self) -> None:
        # The person page (registry) lists agencies a case of the person is referred to, and reads of it.
        from safepassage.cases import sharing

        sharing.connect()
