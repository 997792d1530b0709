"""The REST API: personal access tokens, and JSON endpoints over the same services and
selectors as the pages (docs/api.md)."""
