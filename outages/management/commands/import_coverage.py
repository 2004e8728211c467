from outages import importing

from ._import import ImportCommand


class Command(ImportCommand):
    kind = "postal codes"
    loader = staticmethod(importing.import_coverage)
    help = (
        "Import which service area each postal code belongs to, from a CSV file with the header "
        "postal_code,area_code (the areas must exist: import_areas first). Postal codes are "
        "stored upper case without spaces. An idempotent upsert keyed by postal code: a code "
        "that moves to another area is updated. Every bad row is listed with its line number; "
        "a file with any bad row is refused whole (exit status 1) unless --skip-invalid is given."
    )
