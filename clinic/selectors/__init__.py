"""Reads for the clinician pages, by page: the patients list (`patients`, its rows in `rows`),
adherence figures (`metrics`), one patient's page (`overview`, `timeline`) and flags (`flags`).

Each returns plain data or a queryset in a fixed number of queries, whatever the history.
"""
