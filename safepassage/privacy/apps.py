from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "safepassage.privacy"
    label = "privacy"
    verbose_name = _("Retention, erasure and people's rights")

    def ready(self) -> None:
        from safepassage.core import erasure
        from safepassage.privacy.services import erase_for_withdrawal

        erasure.install(erase_for_withdrawal)
