"""Our date formats, ahead of the locale's: every page shows a date as "30 Nov 2026"."""
