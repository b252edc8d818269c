"""Coordinators issue and revoke API tokens: give their group the token permissions."""

from django.db import migrations

from incidents.roles import create_permissions_now, sync_role_groups


def sync_roles(apps, schema_editor):
    create_permissions_now(apps)
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_public_pages_indexes"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
