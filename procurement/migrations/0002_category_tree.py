"""The CPV-style category tree products and services are filed under.

Codes follow the EU Common Procurement Vocabulary (CPV) divisions and groups that the
programme's suppliers work in, so a buyer recognises them from tenders.
"""

from django.db import migrations

TREE = [
    ("03000000", "Land-, tuinbouw- en bosbouwproducten", None),
    ("03100000", "Land- en tuinbouwproducten", "03000000"),
    ("15000000", "Voedingsmiddelen en dranken", None),
    ("15800000", "Diverse voedingsmiddelen", "15000000"),
    ("15860000", "Koffie, thee en aanverwante producten", "15800000"),
    ("18000000", "Kleding, schoeisel en toebehoren", None),
    ("18100000", "Bedrijfskleding", "18000000"),
    ("22000000", "Drukwerk en aanverwante producten", None),
    ("30000000", "Kantoormachines en computers", None),
    ("30200000", "Computeruitrusting en -benodigdheden", "30000000"),
    ("31000000", "Elektrische machines en verlichting", None),
    ("31500000", "Verlichting", "31000000"),
    ("39000000", "Meubilair en inrichting", None),
    ("39100000", "Meubilair", "39000000"),
    ("39500000", "Textielproducten", "39000000"),
    ("39800000", "Reinigings- en poetsmiddelen", "39000000"),
    ("45000000", "Bouwwerkzaamheden", None),
    ("45200000", "Werkzaamheden voor bouwwerken", "45000000"),
    ("45300000", "Installatiewerkzaamheden", "45000000"),
    ("45400000", "Afwerking van gebouwen", "45000000"),
    ("50000000", "Reparatie en onderhoud", None),
    ("50800000", "Diverse reparatie- en onderhoudsdiensten", "50000000"),
    ("55000000", "Hotel-, restaurant- en cateringdiensten", None),
    ("55500000", "Kantine- en cateringdiensten", "55000000"),
    ("55520000", "Catering", "55500000"),
    ("60000000", "Vervoersdiensten", None),
    ("60100000", "Wegvervoer", "60000000"),
    ("60160000", "Postvervoer en koeriersdiensten", "60100000"),
    ("72000000", "IT-diensten", None),
    ("72200000", "Softwareontwikkeling en advies", "72000000"),
    ("77000000", "Land-, tuin- en bosbouwdiensten", None),
    ("77300000", "Groenvoorziening en tuinonderhoud", "77000000"),
    ("79000000", "Zakelijke dienstverlening", None),
    ("79340000", "Reclame en marketing", "79000000"),
    ("79600000", "Werving en selectie van personeel", "79000000"),
    ("79800000", "Drukkerij en aanverwante diensten", "79000000"),
    ("79950000", "Organisatie van evenementen", "79000000"),
    ("80000000", "Onderwijs en opleiding", None),
    ("80500000", "Opleidingen en trainingen", "80000000"),
    ("85000000", "Gezondheidszorg en maatschappelijk werk", None),
    ("85300000", "Maatschappelijk werk", "85000000"),
    ("90000000", "Afval, schoonmaak en milieu", None),
    ("90500000", "Afvalinzameling en recycling", "90000000"),
    ("90900000", "Schoonmaakdiensten", "90000000"),
    ("98000000", "Overige diensten", None),
    ("98310000", "Wasserij en stomerij", "98000000"),
]


def load_tree(apps, schema_editor):
    Category = apps.get_model("procurement", "Category")
    by_code = {}
    for code, name, parent in TREE:
        by_code[code] = Category.objects.update_or_create(
            code=code, defaults={"name": name, "parent": by_code.get(parent)}
        )[0]


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(load_tree, migrations.RunPython.noop)]
