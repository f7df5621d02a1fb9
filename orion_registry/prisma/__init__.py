"""Prisma schemas: the grammar and parser, import into the registry, export from it."""
