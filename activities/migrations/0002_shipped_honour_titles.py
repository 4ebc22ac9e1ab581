"""The honour titles every installation has (DESIGN.md): six common titles at every level."""

from django.db import migrations

SHIPPED = [
    ("模范职工之家", "collective"),
    ("模范职工小家", "collective"),
    ("五一劳动奖状", "collective"),
    ("五一劳动奖章", "individual"),
    ("工人先锋号", "collective"),
    ("劳动模范", "individual"),
]
LEVELS = ["national", "provincial", "prefecture", "county"]


def add_titles(apps, schema_editor):
    HonourTitle = apps.get_model("activities", "HonourTitle")
    for order, (name, recipient_type) in enumerate(SHIPPED, start=1):
        for level in LEVELS:
            HonourTitle.objects.get_or_create(
                name=name, level=level, owner=None, defaults={"recipient_type": recipient_type, "order": order}
            )


def remove_titles(apps, schema_editor):
    HonourTitle = apps.get_model("activities", "HonourTitle")
    HonourTitle.objects.filter(owner=None, name__in=[name for name, _type in SHIPPED], honours=None).delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(add_titles, remove_titles)]
