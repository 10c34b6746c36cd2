"""The 17 UN Sustainable Development Goals exist in every installation."""

from django.db import migrations


def create_goals(apps, schema_editor):  # type: ignore[no-untyped-def]
    goal = apps.get_model("strategy", "SustainableDevelopmentGoal")
    for number in range(1, 18):
        goal.objects.get_or_create(number=number)


class Migration(migrations.Migration):
    dependencies = [("strategy", "0001_initial")]

    operations = [migrations.RunPython(create_goals, migrations.RunPython.noop)]
