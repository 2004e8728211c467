from outages import importing

from ._import import ImportCommand


class Command(ImportCommand):
    kind = "service areas"
    loader = staticmethod(importing.import_areas)
    help = (
        "Import service areas from a CSV file with the header code,name,region. An idempotent "
        "upsert keyed by code. Every bad row is listed with its line number; a file with any bad "
        "row is refused whole (exit status 1) unless --skip-invalid is given."
    )
