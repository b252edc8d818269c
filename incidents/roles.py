"""The staff groups and their model permissions, as one table.

Migrations call ``sync_role_groups`` so that the groups exist, with exactly
these permissions, on every database. A migration that adds a model calls
it again.
"""

VIEW = ("view",)
EDIT = ("view", "change")
ALL = ("view", "add", "change", "delete")

REFERENCE_MODELS = ("election", "region", "pollingstation", "party", "officialresult", "partyresult")
DETAIL_MODELS = ("detention", "deniedaccess", "internetblockage")

ROLE_PERMISSIONS = {
    # Observers file through their own pages, never the admin.
    "Observer": {},
    "Moderator": {
        ("incidents", "incident"): (*EDIT, "moderate"),
        **{("incidents", model): EDIT for model in DETAIL_MODELS},
        ("incidents", "attachment"): EDIT,
        ("incidents", "incidentevent"): VIEW,
        **{("incidents", model): VIEW for model in REFERENCE_MODELS},
        ("incidents", "organization"): VIEW,
        ("incidents", "resultchange"): VIEW,
        ("incidents", "oonimeasurement"): VIEW,
        ("incidents", "blockagemeasurement"): VIEW,
        # The SMS inbox: messages are made a report or dismissed, never added or deleted.
        ("incidents", "smsmessage"): EDIT,
        ("incidents", "protocolcopy"): (*EDIT, "verify"),
        ("incidents", "protocolcopyevent"): VIEW,
        ("incidents", "protocolline"): VIEW,
        ("incidents", "pvtsample"): VIEW,
        ("incidents", "pvtstation"): VIEW,
    },
    "Coordinator": {
        ("incidents", "incident"): (*EDIT, "moderate", "reassign"),
        **{("incidents", model): EDIT for model in DETAIL_MODELS},
        ("incidents", "attachment"): EDIT,
        ("incidents", "incidentevent"): VIEW,
        **{("incidents", model): ALL for model in REFERENCE_MODELS},
        ("incidents", "organization"): ALL,
        ("incidents", "observer"): ALL,
        ("incidents", "resultchange"): VIEW,
        # OONI measurements: imported (from a file or the API), never edited; attached by moderators.
        ("incidents", "oonimeasurement"): ("view", "add"),
        ("incidents", "blockagemeasurement"): VIEW,
        ("incidents", "smsmessage"): EDIT,
        ("incidents", "protocolcopy"): (*EDIT, "verify"),
        ("incidents", "protocolcopyevent"): VIEW,
        ("incidents", "protocolline"): ALL,
        ("incidents", "pvtsample"): VIEW,
        ("incidents", "pvtstation"): VIEW,
        ("auth", "user"): ("view", "add", "change"),
        # which regions each moderator moderates
        ("incidents", "moderatorscope"): ALL,
        # API tokens: issued for and revoked from observers (the token itself is shown once, never stored).
        ("knox", "authtoken"): ("view", "add", "delete"),
    },
}


def sync_role_groups(apps):
    """Create the role groups and give each exactly its permissions.

    Works with historical models (``apps`` from a migration) and skips
    permissions of models that do not exist yet.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, table in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for (app_label, model), actions in table.items():
            codenames = [f"{action}_{model}" for action in actions]
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        group.permissions.set(wanted)


def create_permissions_now(apps):
    """Permissions are normally created after all migrations; roles need them sooner."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
