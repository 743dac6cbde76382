"""Sign-in no longer locks accounts: wrong passwords slow further tries per account and client address
(SignInFailure), and the account keeps a count since its last sign-in for alerts."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_agency_profile")]

    operations = [
        migrations.RemoveField(model_name="user", name="locked_at"),
        migrations.AddField(
            model_name="user",
            name="last_failed_login_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="SignInFailure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("account_key", models.CharField(max_length=64)),
                ("address", models.CharField(blank=True, max_length=45)),
                ("at", models.DateTimeField(db_index=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["account_key", "address", "at"], name="signin_failure_account"),
                    models.Index(fields=["address", "at"], name="signin_failure_address"),
                ],
            },
        ),
    ]
