from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outages", "0002_customer_address_trigram")]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="email",
            field=models.EmailField(
                blank=True,
                db_default="",
                default="",
                help_text="For outage messages; optional.",
                max_length=254,
            ),
        ),
    ]
