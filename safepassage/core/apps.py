from django.apps import AppConfig
from django.core.signals import setting_changed
from django.db.models.signals import post_migrate, pre_save


def keys_changed(*, setting: str, **kwargs: object) -> None:
    """Tests that change the keys (override_settings) get them read again."""
    if setting in ("ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        from safepassage.core import crypto

        crypto.reset()


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
        setting_changed.connect(keys_changed, dispatch_uid="safepassage.keys_changed")
