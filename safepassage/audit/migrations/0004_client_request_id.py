"""The client's own X-Request-ID, kept beside the server's request id. Added with plain SQL (on SQLite a
rebuilt table would lose its append-only trigger); the state change is Django's usual AddField."""

from django.db import migrations, models

ADD_COLUMN = "ALTER TABLE audit_auditevent ADD COLUMN client_request_id varchar(64) NOT NULL DEFAULT ''"


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_dates_in_changes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    ADD_COLUMN, "ALTER TABLE audit_auditevent DROP COLUMN client_request_id"
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="auditevent",
                    name="client_request_id",
                    field=models.CharField(blank=True, max_length=64),
                ),
            ],
        ),
    ]
