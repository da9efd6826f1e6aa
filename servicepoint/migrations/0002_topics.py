from django.db import migrations

# The topics of the service point (seeds: what impact entrepreneurs ask), with service
# levels in working days. Account managers can change them in the admin afterwards.
TOPICS = [
    ("vergunningen", "Vergunningen", "Permits", 2, 15),
    ("financiering", "Financiering", "Financing", 2, 10),
    ("vestigingslocatie", "Vestigingslocatie", "Business location", 2, 10),
    ("ondernemingsplan", "Ondernemingsplan", "Business plan", 2, 10),
    ("social-return", "Social return", "Social return", 2, 10),
    ("personeel-jobcoach", "Personeel en jobcoach", "Staff and job coaching", 2, 10),
    ("inkoop", "Inkoop", "Procurement", 2, 10),
    ("duurzaamheid", "Duurzaamheid", "Sustainability", 2, 10),
    ("impact-meten", "Impact meten", "Measuring impact", 2, 10),
    ("overig", "Overig", "Other", 2, 10),
]


def create_topics(apps, schema_editor):
    Topic = apps.get_model("servicepoint", "Topic")
    for position, (slug, name, name_en, first, resolution) in enumerate(TOPICS):
        Topic.objects.get_or_create(slug=slug, defaults={
            "name": name, "name_en": name_en, "first_response_days": first,
            "resolution_days": resolution, "position": position,
        })


class Migration(migrations.Migration):
    dependencies = [("servicepoint", "0001_initial")]
    operations = [migrations.RunPython(create_topics, migrations.RunPython.noop)]
