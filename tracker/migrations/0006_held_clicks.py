import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0005_derived_click_figures"),
    ]

    operations = [
        migrations.CreateModel(
            name="WrittenHeldClick",
            fields=[
                ("key", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("written_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
    ]
