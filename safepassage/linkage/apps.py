from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "safepassage.linkage"
    label = "linkage"
    verbose_name = _("Finding the same person across agencies")
