"""British English as Django ships it, except that short dates match long ones (30 Nov 2026,
never 30/11/2026 or 2026-11-30): one way of writing a date on every page."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
