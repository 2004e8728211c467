from outages import importing

from ._import import ImportCommand


class Command(ImportCommand):
    kind = "customers"
    loader = staticmethod(importing.import_customers)
    help = (
        "Import the customer directory from a CSV file with the header "
        "account_number,name,phone,address,postal_code,status "
        "(status: active, suspended_nonpayment, suspended_terms, disconnected_requested). "
        "An idempotent upsert keyed by account number: importing the same file twice leaves one "
        "row per account. Phones are stored in E.164 (numbers without a country code are read "
        "in DEFAULT_PHONE_REGION); the service area comes from the postal code's coverage "
        "(import_areas and import_coverage first). Every bad row is listed with its line number "
        "and reason; a file with any bad row is refused whole (exit status 1, nothing written) "
        "unless --skip-invalid is given. Exit status 0 when the rows landed. "
        "Example: manage.py import_customers customers.csv --no-progress"
    )
