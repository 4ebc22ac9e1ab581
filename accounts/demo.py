"""Demo accounts: one per role in each demo branch, all with the same password."""

from django.contrib.auth.hashers import make_password

from accounts.models import User
from unionportal.roles import Role

DEMO_PASSWORD = "Union-Demo-2026"
DEMO_SUPERUSER = "root"

# username prefix → organization name
DEMO_BRANCHES = {
    "sys": "双鸭山市总工会",
    "jianshan": "尖山区总工会",
    "lingdong": "岭东区总工会",
    "pingtang": "平塘县总工会",
    "pinghu": "平湖镇工会联合会",
}


def load(organizations):
    """Create the demo users that do not exist yet; returns their usernames."""
    created = []
    # One hash for all: hashing is deliberately slow, and the password is the same anyway.
    password = make_password(DEMO_PASSWORD)
    if not User.objects.filter(username=DEMO_SUPERUSER).exists():
        User.objects.create_superuser(DEMO_SUPERUSER, "", DEMO_PASSWORD, full_name="系统管理员")
        created.append(DEMO_SUPERUSER)
    for prefix, org_name in DEMO_BRANCHES.items():
        organization = organizations[org_name]
        for role in Role:
            username = f"{prefix}_{role.value}"
            if User.objects.filter(username=username).exists():
                continue
            user = User(
                username=username,
                organization=organization,
                role=role,
                full_name=f"{organization.short_name or organization.name}{role.label}",
            )
            user.password = password
            user.save()
            created.append(username)
    return created
