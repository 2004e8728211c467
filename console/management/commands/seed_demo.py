"""Demo data for trying the console: areas, postal codes, customers across every account status,
one active and one restored outage with callbacks, the default scripts and a user per role.

Idempotent: running it again changes nothing that is already there. The demo agents start on
callback duty (so a team lead's first distribution or "Assign selection" has someone to give
work to). ``--reset`` wipes the database first and seeds it again (development and demo
machines only: it refuses when DEBUG is off)."""

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from callbacks import services as callback_services
from core import roles
from outages import lifecycle
from outages import services as outage_services
from outages.models import Coverage, Customer, Outage, ServiceArea
from scripts_library.services import install_defaults
from workload import services as workload_services

DEMO_PASSWORD = "outage-demo"
DEMO_USERS = [
    ("agent", "Alex", "Agent", roles.AGENT),
    ("agent2", "Sam", "Rivera", roles.AGENT),
    ("lead", "Taylor", "Lead", roles.TEAM_LEAD),
    ("supervisor", "Jordan", "Supervisor", roles.SUPERVISOR),
]
AREAS = [
    ("NE-01", "Northgate", "North"),
    ("NE-02", "Riverside", "North"),
    ("CE-01", "Old Town", "Central"),
    ("CE-02", "Harbour", "Central"),
    ("SO-01", "Southfield", "South"),
    ("SO-02", "Meadowbank", "South"),
]
STREETS = ["Maple Avenue", "Oak Street", "Station Road", "Church Lane", "Mill Road", "High Street"]
FIRST = ["Maria", "James", "Aisha", "Wei", "Olivia", "Diego", "Fatima", "Liam", "Noah", "Emma"]
LAST = ["Garcia", "Smith", "Khan", "Chen", "Brown", "Lopez", "Okafor", "Novak", "Jones", "Silva"]
STATUS_MIX = (
    [Customer.Status.ACTIVE] * 85
    + [Customer.Status.SUSPENDED_NONPAYMENT] * 8
    + [Customer.Status.SUSPENDED_TERMS] * 3
    + [Customer.Status.DISCONNECTED_REQUESTED] * 4
)
CUSTOMERS = 300


class Command(BaseCommand):
    help = "Create demo areas, customers, outages, scripts and one user per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Wipe every row of the database first, then seed the demo again "
            "(refused when DEBUG is off).",
        )

    def handle(self, *args, **options):
        if options["reset"]:
            self._reset()
        self._seed()

    def _reset(self):
        if not settings.DEBUG:
            raise CommandError(
                "--reset wipes the whole database: it runs only with DEBUG on (a development "
                "or demo machine), never in production."
            )
        call_command("flush", interactive=False, verbosity=0)
        self.stdout.write("Database wiped.")

    def _role_groups(self):
        """What the data migrations put in a fresh database and a flush takes away: the role
        groups with their permissions (a database flushed before seeding still gets them)."""
        for role in roles.ROLES:
            group, _ = Group.objects.get_or_create(name=role)
            codes = {tuple(code.split(".")) for code in roles.permissions_for(role)}
            group.permissions.set(
                p
                for p in Permission.objects.select_related("content_type")
                if (p.content_type.app_label, p.codename) in codes
            )

    @transaction.atomic
    def _seed(self):
        now = timezone.now()
        self._role_groups()
        users = self._users(now=now)
        areas = self._areas()
        self._customers(areas)
        install_defaults(now=now)
        self._outages(now=now, areas=areas, supervisor=users["supervisor"], agent=users["agent"])
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in with:"))
        for username, _, _, role in DEMO_USERS:
            self.stdout.write(f"  {role:<11} {username} / {DEMO_PASSWORD}")

    def _users(self, *, now):
        User = get_user_model()
        users, new_agents = {}, []
        for username, first, last, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = role == roles.SUPERVISOR
                user.save()
                if role == roles.AGENT:
                    new_agents.append(user)
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        # Demo agents start their shift on callback duty (a team lead may put them off);
        # only when first created, so a second run keeps what the team lead decided.
        for agent in new_agents:
            workload_services.agent_duty_set(
                actor=users["lead"], agent=agent, on_duty=True, now=now
            )
        return users

    def _areas(self):
        areas = []
        for index, (code, name, region) in enumerate(AREAS):
            area, _ = ServiceArea.objects.get_or_create(
                code=code, defaults={"name": name, "region": region}
            )
            areas.append(area)
            for n in range(5):
                Coverage.objects.get_or_create(
                    postal_code=f"{10010 + index * 10 + n}", defaults={"area": area}
                )
        return areas

    def _customers(self, areas):
        if Customer.objects.filter(account_number__startswith="DEMO").exists():
            return
        rng = random.Random(2026)
        coverage = list(Coverage.objects.select_related("area"))
        rows = []
        for n in range(1, CUSTOMERS + 1):
            cov = rng.choice(coverage)
            rows.append(
                Customer(
                    account_number=f"DEMO{n:05d}",
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    phone=f"+1202555{n:04d}",
                    address=f"{rng.randint(1, 250)} {rng.choice(STREETS)}, {cov.area.name}",
                    postal_code=cov.postal_code,
                    area=cov.area,
                    status=STATUS_MIX[n % len(STATUS_MIX)],
                )
            )
        Customer.objects.bulk_create(rows)

    def _outages(self, *, now, areas, supervisor, agent):
        if Outage.objects.exists():
            return
        active = outage_services.outage_declare(
            actor=supervisor,
            now=now - timedelta(hours=1),
            started_at=now - timedelta(hours=1),
            title="Fibre cut north of the river",
            kind=lifecycle.NETWORK,
            service="Home broadband",
            severity=lifecycle.MAJOR,
            areas=areas[:2],
            cause="A contractor damaged a fibre cable on Station Road",
            etr=now + timedelta(hours=3),
            message="Engineers are on site repairing the cable.",
        )
        restored = outage_services.outage_declare(
            actor=supervisor,
            now=now - timedelta(hours=6),
            started_at=now - timedelta(hours=6),
            title="Power failure at the Harbour exchange",
            service="Home broadband and TV",
            areas=areas[3:4],
            cause="Mains power failure at the exchange",
            etr=now - timedelta(hours=2),
        )
        waiting = Customer.objects.filter(area__in=areas[:2])[:3]
        queued = Customer.objects.filter(area=areas[3])[:4]
        for customer, outage in [(c, restored) for c in queued] + [(c, active) for c in waiting]:
            callback_services.callback_file(
                actor=agent,
                now=now - timedelta(hours=4),
                outage=outage,
                customer=customer,
                name=customer.name,
                phone=customer.phone,
                call_reason="Wants to reschedule an installation appointment",
                item="Installation appointment",
            )
        outage_services.outage_restore(
            actor=supervisor, now=now - timedelta(hours=1), outage=restored
        )
        callback_services.callbacks_release_for_outage(outage_id=restored.pk, now=now)
