-- IAM tokens from POST /v3/auth/tokens. A token is kilobytes long, as IAM's are:
-- kept by its SHA-256 (hex), which is what a request's X-Auth-Token is looked up by.
CREATE TABLE modelarts_iam_tokens (
  token_sha256 TEXT PRIMARY KEY,
  user_name    TEXT NOT NULL,
  domain_name  TEXT NOT NULL,
  project_id   TEXT,            -- NULL: a domain-scoped token, which no project's API accepts
  issued_at    INTEGER NOT NULL, -- sandbox ms
  expires_at   INTEGER NOT NULL  -- sandbox ms
) STRICT, WITHOUT ROWID;
CREATE INDEX modelarts_iam_tokens_expiry ON modelarts_iam_tokens (expires_at);

-- The objects a signed URL downloads are the samples' sources: found by the
-- address the URL names. A fixture may name a file (in the fixtures folder)
-- for either; without one the sandbox draws an image for the key.
ALTER TABLE modelarts_samples ADD COLUMN origin_file TEXT;
ALTER TABLE modelarts_samples ADD COLUMN new_file TEXT;
CREATE INDEX modelarts_samples_origin_source ON modelarts_samples (origin_source);
CREATE INDEX modelarts_samples_new_source ON modelarts_samples (new_source) WHERE new_source <> '';
