"""Neutral helpers that several layers share: PostgreSQL type names and English words.

Nothing here imports another package of `orion_registry`; rules, the Prisma bridge, SQL
export, drift and the site all build on it.
"""
