"""The seeds' catalogue of prevention interventions (seed-requirements §2.13, R-073, R-102) and the package
rules (R-074, W-19). Names in English; other languages are added by the coordination centre or later
translations. Loaded only where the catalogue is empty, so a changed catalogue is never overwritten."""

from django.db import migrations

INTERVENTIONS = [
    # code, group, English name
    ("scholarship", "education", "Scholarship or education subsidy"),
    ("preparatory_class", "education", "Preparatory class for migrant children"),
    ("vocational_training", "skills", "Vocational or skills training"),
    ("life_skills", "skills", "Life skills, HIV and reproductive health training"),
    ("business_training", "skills", "Business training"),
    ("village_fund", "income", "Village development fund or village bank"),
    ("micro_finance", "income", "Micro-finance or small business loan"),
    ("rice_bank", "income", "Rice bank"),
    ("cow_bank", "income", "Cow or buffalo bank"),
    ("safe_migration_info", "information", "Safe-migration information"),
    ("legal_literacy", "information", "Legal literacy and rights at work"),
    ("peer_education", "information", "Peer education"),
    ("family_support", "support", "Family support"),
    ("drop_in_centre", "support", "Drop-in centre or women's home"),
    ("counselling", "support", "Counselling and referral"),
]

RULES = [
    (
        "finance_without_information",
        "Micro-finance or a village fund without safe-migration, legal or rights information",
        ["micro_finance", "village_fund", "rice_bank", "cow_bank"],
        ["safe_migration_info", "legal_literacy", "peer_education"],
    ),
    (
        "income_alone",
        "Income generation alone: nothing for education, information or support",
        ["group:income"],
        ["group:education", "group:skills", "group:information", "group:support"],
    ),
]


def load(apps, schema_editor):
    Intervention = apps.get_model("prevention", "Intervention")
    PackageRule = apps.get_model("prevention", "PackageRule")
    if not Intervention.objects.exists():
        for position, (code, group, name) in enumerate(INTERVENTIONS):
            Intervention.objects.create(code=code, group=group, label={"en": name}, position=position)
    if not PackageRule.objects.exists():
        for code, name, when_any, unless_any in RULES:
            PackageRule.objects.create(code=code, label={"en": name}, when_any=when_any, unless_any=unless_any)


class Migration(migrations.Migration):
    dependencies = [("prevention", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
