from django.db import migrations

# The areas (gebieden) of the municipality of Groningen, for matching nearby help.
AREAS = [
    ("Centrum", "centrum"),
    ("Oost", "oost"),
    ("Noord", "noord"),
    ("West", "west"),
    ("Zuid", "zuid"),
    ("Haren", "haren"),
    ("Ten Boer", "ten-boer"),
    ("Hele gemeente", "hele-gemeente"),
]


def create_areas(apps, schema_editor):
    Area = apps.get_model("omarm", "Area")
    for position, (name, slug) in enumerate(AREAS):
        Area.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("omarm", "0001_initial")]
    operations = [migrations.RunPython(create_areas, migrations.RunPython.noop)]
