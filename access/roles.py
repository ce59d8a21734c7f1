"""Roles for people: Django groups with model permissions. Superusers keep everything.

- viewer: the dashboard, the stats, the links list and the CSV export; no delete, no admin.
- editor: what a viewer does, plus deleting links and the admin for links and campaigns
  (`ensure_admin --role editor` also makes the user staff, which the admin requires).
"""

VIEWER, EDITOR = "viewer", "editor"
ROLES = (VIEWER, EDITOR)

# (app label, codename) of each role's permissions.
ROLE_PERMISSIONS = {
    VIEWER: [
        ("links", "view_link"),
        ("links", "view_campaign"),
        ("tracker", "view_click"),
    ],
    EDITOR: [
        *[
            ("links", f"{action}_{model}")
            for model in ("link", "campaign")
            for action in ("view", "add", "change", "delete")
        ],
        ("tracker", "view_click"),
    ],
}
# Staff status (admin access) goes with these roles.
STAFF_ROLES = {EDITOR}


def ensure_roles(group_model, permission_model):
    """Create the viewer and editor groups (if missing) with exactly their permissions; return
    {role: group}. Takes the models so that a data migration can pass its historical ones."""
    groups = {}
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = [
            permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in codenames
        ]
        group.permissions.set(permissions)
        groups[role] = group
    return groups


def ensure_role_groups():
    """ensure_roles() with the live models."""
    from django.contrib.auth.models import Group, Permission

    return ensure_roles(Group, Permission)


def assign_role(user, role):
    """Put `user` in exactly one role's group (replacing another role), staff for editors."""
    groups = ensure_role_groups()
    user.groups.remove(*(group for name, group in groups.items() if name != role))
    user.groups.add(groups[role])
    is_staff = role in STAFF_ROLES or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
