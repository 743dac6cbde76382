from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "safepassage.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from safepassage.core.notices import notice_listen
        from safepassage.notify.services import notices_receive

        notice_listen(notices_receive)
