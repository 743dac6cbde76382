from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save


def record_keys(**kwargs: object) -> None:
    """After migrating (which seals what was stored clear), note the keys the database is now sealed with."""
    from safepassage.core.crypto import check_keys

    check_keys(record=True)


class CoreConfig(AppConfig):
    name = "safepassage.core"
    label = "core"

    def ready(self) -> None:
        from safepassage.core.validation import text_fields_check

        # Lengths and empty text checked the same on SQLite and PostgreSQL, for every model and write path.
        pre_save.connect(text_fields_check, dispatch_uid="safepassage.text_fields_check")
        post_migrate.connect(record_keys, sender=self, dispatch_uid="safepassage.record_keys")
