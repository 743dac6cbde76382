from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "safepassage.imports"
    label = "imports"
    verbose_name = _("Imports from other agencies and from field forms")
