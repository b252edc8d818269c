from incidents.imports.command import ImportCommand


class Command(ImportCommand):
    help = "Import observers from a CSV or XLSX file (see docs/imports.md)."
    kind = "observers"
