"""`python manage.py import_xlsx KIND FILE --user USERNAME [--dry-run]`

The same pipeline as the browser's import, acting as USERNAME with that user's scope. All or
nothing: one bad row and nothing is saved; every error is printed with its row, column and
message, and the exit status is 1."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from unionportal.importing import REGISTRY, get_importer


class Command(BaseCommand):
    help = "Import a filled template (.xlsx) as a given user; nothing is saved unless every row is valid."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="one of: " + ", ".join(sorted(REGISTRY)) if REGISTRY else "the kind")
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="act as this user, with their scope")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")

    def handle(self, *args, kind, file, user, dry_run, **options):
        translation.activate("zh-hans")
        try:
            importer_class = get_importer(kind)
        except LookupError:
            raise CommandError(f"unknown kind {kind!r}; one of: {', '.join(sorted(REGISTRY))}") from None
        try:
            acting = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no active user {user!r}") from None
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        result = importer_class(acting).run(file.read_bytes(), commit=not dry_run)
        for error in result.errors:
            where = f"第{error.row}行" if error.row else ""
            column = f"【{error.column}】" if error.column else ""
            self.stderr.write(f"{where}{column}{error.message}")
        if result.errors:
            self.stderr.write(f"{len(result.errors)} 个错误，未保存任何记录。")
            raise SystemExit(1)
        if dry_run:
            self.stdout.write(f"检查通过：{len(result.rows)} 行可以导入（试运行，未保存）。")
        else:
            self.stdout.write(f"已导入 {len(result.rows)} 行。")
