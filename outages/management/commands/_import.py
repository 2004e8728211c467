"""What the three import commands share: arguments, the progress bar, the report."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from outages import importing


class ImportCommand(BaseCommand):
    kind = ""
    header = ()
    loader = None
    max_listed = 200

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8) with the header line shown above.")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and report the bad ones (default: a file with any bad "
            "row is refused whole and nothing is written).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (for logs and scripts)."
        )

    def handle(self, *args, file, skip_invalid, no_progress, **options):
        progress = None
        if not no_progress:
            total = _count_rows(file)
            progress = lambda rows: tqdm(  # noqa: E731
                rows,
                total=total,
                unit=" rows",
                unit_scale=True,
                desc=f"Checking and loading {self.kind}",
                file=sys.stderr,
                mininterval=0.5,
            )
        try:
            report = self.loader(file, skip_invalid=skip_invalid, progress=progress)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except importing.ImportRefused as exc:
            self._list_errors(exc.report)
            raise CommandError(exc.message) from exc
        self._list_errors(report)
        skipped = f", {report.error_count} bad rows skipped" if report.error_count else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.valid} {self.kind} from {report.read} rows: "
                f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged"
                f"{skipped}."
            )
        )

    def _list_errors(self, report):
        for error in report.errors[: self.max_listed]:
            self.stderr.write(f"{error}")
        hidden = report.error_count - min(len(report.errors), self.max_listed)
        if hidden > 0:
            self.stderr.write(f"... and {hidden} more bad rows.")


def _count_rows(path):
    try:
        with open(path, "rb") as handle:
            return max(sum(1 for _ in handle) - 1, 0)
    except OSError:
        return None
