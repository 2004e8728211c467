"""Erase one customer's personal data on their request, with an audit row.

    python manage.py erase_customer ACCOUNT_NUMBER --by USERNAME --reason "Request #123"

The directory row keeps its account number and area; name, phone and address go, and so do
the names, phones, notes and letters' addresses of every callback for them (anything still
open for them is cancelled). The audit trail records who asked, why and how many rows changed.
If the system of record still lists the customer, erase them there too: the next directory
import would bring their details back."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from outages import services


class Command(BaseCommand):
    help = "Erase one customer's personal data (names, phones, addresses, notes) on request."

    def add_arguments(self, parser):
        parser.add_argument("account_number")
        parser.add_argument(
            "--by", required=True, help="Username of the person carrying out the request."
        )
        parser.add_argument(
            "--reason", required=True, help="Why: the request's reference, for the audit trail."
        )

    def handle(self, *args, account_number, by, reason, **options):
        actor = get_user_model().objects.filter(username=by).first()
        if actor is None:
            raise CommandError(f"No user {by!r}: --by names the person carrying this out.")
        if not reason.strip():
            raise CommandError("Give a --reason (the request's reference) for the audit trail.")
        try:
            counts = services.customer_erase(
                actor=actor, now=timezone.now(), account_number=account_number, reason=reason
            )
        except services.CustomerNotFound as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Erased the personal data of customer {account_number}: {counts}")
