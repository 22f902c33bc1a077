-- The passwords the graph's users were given by nGQL (ALTER USER … WITH PASSWORD, CHANGE PASSWORD, through the
-- console's POST /api-nebula/db/exec): each holds from the next login in place of the configured one
-- (RESULTBOX_EXPLORER_ACCOUNTS). A reset forgets them, so the configured ones hold again.
CREATE TABLE explorer_passwords (
  account  TEXT PRIMARY KEY,
  password TEXT NOT NULL
) STRICT;
