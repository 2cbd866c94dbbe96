"""The "Customer experience" group: exactly what the support team's admin work needs (DESIGN §7).

What support does, and the permission each step needs:
- look at every organization, its members, policy and automation, learners, campaigns, runs,
  sends, inbound messages, bounce events and the clearance audit log: ``view_*`` only;
- clear bounce statuses (bulk action, learner button, address list): ``contacts.clear_bounce``,
  and ``view_bulkclearjob`` to follow the jobs. There is no ``change_learner``: a learner's
  state changes only through the clearing service, which writes the audit rows;
- fix a bounce mailbox's password or OAuth secrets and "Poll now": ``change_bouncemailbox``;
- re-classify inbound messages after a classifier upgrade: ``change_inboundmessage`` (the admin
  itself shows messages read-only; this permission only unlocks the re-classify action).
No add or delete permission at all, nothing on users or groups: support cannot delete an
audit row, a learner or an organization, nor grant itself more rights.
A model added later needs its own migration to extend this group.
"""

from django.db import migrations

GROUP_NAME = "Customer experience"

PERMISSIONS = [
    ("contacts", "organization", "view_organization", "Can view organization"),
    ("contacts", "membership", "view_membership", "Can view membership"),
    ("contacts", "bouncepolicy", "view_bouncepolicy", "Can view bounce policy"),
    ("contacts", "automationrule", "view_automationrule", "Can view automation rule"),
    ("contacts", "learner", "view_learner", "Can view learner"),
    ("contacts", "learner", "clear_bounce", "Can clear a learner's bounce status"),
    ("contacts", "clearance", "view_clearance", "Can view clearance"),
    ("contacts", "bulkclearjob", "view_bulkclearjob", "Can view bulk clear job"),
    ("campaigns", "campaign", "view_campaign", "Can view campaign"),
    ("campaigns", "campaignrun", "view_campaignrun", "Can view campaign run"),
    ("campaigns", "send", "view_send", "Can view send"),
    ("campaigns", "bouncemailbox", "view_bouncemailbox", "Can view bounce mailbox"),
    ("campaigns", "bouncemailbox", "change_bouncemailbox", "Can change bounce mailbox"),
    ("campaigns", "inboundmessage", "view_inboundmessage", "Can view inbound message"),
    ("campaigns", "inboundmessage", "change_inboundmessage", "Can change inbound message"),
    ("campaigns", "bounceevent", "view_bounceevent", "Can view bounce event"),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); make them
    # here so the group can hold them on a fresh database too.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = []
    for app_label, model, codename, name in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                         defaults={"name": name})
        permissions.append(permission)
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    # No dependency on campaigns: the campaigns permissions' content types are made here by app
    # label and model name (get_or_create), which needs no campaigns table.
    dependencies = [
        ("contacts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
