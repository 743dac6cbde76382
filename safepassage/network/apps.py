from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "safepassage.network"
    label = "network"
    verbose_name = _("Network: organisations and responders")

    def ready(self) -> None:
        # Early-warning alerts also reach the responders who cover the village (see docs/network.md);
        # the risk index sits below the network and learns of it only through this hook.
        from safepassage.network.selectors import alert_recipients
        from safepassage.registry.services import RECIPIENT_SOURCES

        if alert_recipients not in RECIPIENT_SOURCES:
            RECIPIENT_SOURCES.append(alert_recipients)
