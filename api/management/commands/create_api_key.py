"""``python manage.py create_api_key NAME --scope ivr [--scope crm]``: a key for one
integration, printed once (supervisors can do the same on the Integrations page)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api import keys, services
from core.errors import ServiceError


class Command(BaseCommand):
    help = "Create an API key for an integration and print it (it is not shown again)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The integration, e.g. 'Main IVR'.")
        parser.add_argument(
            "--scope", action="append", choices=keys.SCOPES, required=True, dest="scopes"
        )

    def handle(self, *args, name, scopes, **options):
        try:
            api_key, key = services.api_key_create(
                actor=None, now=timezone.now(), name=name, scopes=scopes
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(f"Key for {api_key.name} ({', '.join(api_key.scopes)}):")
        self.stdout.write(key)
