"""Create the Observer, Moderator and Coordinator groups with their permissions."""

from django.db import migrations

from incidents.roles import create_permissions_now, sync_role_groups


def create_role_groups(apps, schema_editor):
    create_permissions_now(apps)
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
