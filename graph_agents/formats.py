"""The report formats a run can write; its own module so the CLI knows them without loading settings."""

# written when none are named (the CLI's --format, export_reports)
DEFAULT_FORMATS = ("markdown", "json", "html")
