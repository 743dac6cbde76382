from django.apps import AppConfig
from django.db.models.signals import pre_save


class CoreConfig(AppConfig):
    name = "safepassage.core"
    label = "core"

    def ready(self) -> None:
        from safepassage.core.validation import text_fields_check

        # Lengths and empty text checked the same on SQLite and PostgreSQL, for every model and write path.
        pre_save.connect(text_fields_check, dispatch_uid="safepassage.text_fields_check")
