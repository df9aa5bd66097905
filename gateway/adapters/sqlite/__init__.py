"""SQLite: one write connection (the single writer), read connections for pages and lookups."""
