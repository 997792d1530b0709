"""Schedule services against the database, one file per unit.

They run on whichever database DATABASE_URL names; CI runs this folder on both engines.
"""
