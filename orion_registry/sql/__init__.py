"""PostgreSQL bridges: registry -> DDL, live database -> registry shape, drift, migration SQL.

Modules here import psycopg / pglast; import them only where they are needed so the
rest of the CLI stays fast.
"""
