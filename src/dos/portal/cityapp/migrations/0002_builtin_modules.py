"""Built-in app modules of the platform (news, events, ideas, projects, environment, parking,
defect reporting, city information)."""

from django.db import migrations


def create(apps, schema_editor):
    from dos.portal.cityapp.builtin import install

    install(apps.get_model("cityapp", "Module"), apps.get_model("cityapp", "ModuleVersion"))


class Migration(migrations.Migration):
    dependencies = [("cityapp", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
