-- Facts about the store itself, such as when it was seeded from the fixtures.
CREATE TABLE sandbox_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
