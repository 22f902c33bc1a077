-- ModelArts data processing: tasks, their versions and each version's result samples.
CREATE TABLE modelarts_tasks (
  task_id    TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  name       TEXT NOT NULL
) STRICT;

CREATE TABLE modelarts_versions (
  version_id   TEXT PRIMARY KEY,
  task_id      TEXT NOT NULL REFERENCES modelarts_tasks (task_id) ON DELETE CASCADE,
  version_name TEXT NOT NULL,
  status       INTEGER NOT NULL CHECK (status BETWEEN 0 AND 4)
) STRICT;
CREATE INDEX modelarts_versions_task ON modelarts_versions (task_id);

-- ordinal ranks a sample within its version, property_ordinal within its
-- version and result_property (both 0-based, by sample_id), so that a page is
-- a range lookup rather than an OFFSET scan.
CREATE TABLE modelarts_samples (
  version_id         TEXT NOT NULL REFERENCES modelarts_versions (version_id) ON DELETE CASCADE,
  ordinal            INTEGER NOT NULL,
  property_ordinal   INTEGER NOT NULL,
  sample_id          TEXT NOT NULL,
  origin_source      TEXT NOT NULL,
  new_source         TEXT NOT NULL,
  result_property    INTEGER NOT NULL CHECK (result_property BETWEEN 0 AND 3),
  result_description TEXT NOT NULL,  -- JSON array of arrays of strings
  PRIMARY KEY (version_id, ordinal),
  UNIQUE (version_id, sample_id),
  UNIQUE (version_id, result_property, property_ordinal)
) STRICT, WITHOUT ROWID;
