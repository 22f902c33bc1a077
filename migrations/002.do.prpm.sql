-- PrPM (PrCore): projects, dataset results, the plugins working on them, and
-- the cases with their prescriptions. Times are sandbox milliseconds.
CREATE TABLE prpm_projects (
  id     INTEGER PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN
    ('WAITING', 'PREPROCESSING', 'TRAINING', 'TRAINED', 'STREAMING', 'SIMULATING', 'ERROR'))
) STRICT;

CREATE TABLE prpm_results (
  result_key         TEXT PRIMARY KEY,
  project_id         INTEGER NOT NULL REFERENCES prpm_projects (id) ON DELETE CASCADE,
  created_at         INTEGER NOT NULL,
  cases_count        INTEGER NOT NULL,
  columns            TEXT NOT NULL,  -- JSON array
  columns_definition TEXT NOT NULL,  -- JSON object, key order kept
  case_attributes    TEXT NOT NULL   -- JSON array
) STRICT;
CREATE INDEX prpm_results_created_at ON prpm_results (created_at);

-- One row per expected plugin: when it is due, and when (in which order) it finished.
CREATE TABLE prpm_result_plugins (
  result_key        TEXT NOT NULL REFERENCES prpm_results (result_key) ON DELETE CASCADE,
  plugin_key        TEXT NOT NULL,
  expected_position INTEGER NOT NULL,
  due_at            INTEGER NOT NULL,
  schedule_position INTEGER NOT NULL,
  finished_at       INTEGER,
  finish_seq        INTEGER,
  PRIMARY KEY (result_key, plugin_key),
  CHECK ((finished_at IS NULL) = (finish_seq IS NULL))
) STRICT;
CREATE INDEX prpm_result_plugins_pending ON prpm_result_plugins (due_at) WHERE finished_at IS NULL;

CREATE TABLE prpm_cases (
  result_key TEXT NOT NULL REFERENCES prpm_results (result_key) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  case_id    TEXT NOT NULL,
  events     TEXT NOT NULL,  -- JSON array of string rows
  PRIMARY KEY (result_key, position),
  UNIQUE (result_key, case_id)
) STRICT;

CREATE TABLE prpm_prescriptions (
  result_key TEXT NOT NULL,
  case_id    TEXT NOT NULL,
  plugin_key TEXT NOT NULL,
  position   INTEGER NOT NULL,
  body       TEXT NOT NULL,  -- JSON, as the plugin gave it
  PRIMARY KEY (result_key, case_id, plugin_key, position),
  FOREIGN KEY (result_key, case_id) REFERENCES prpm_cases (result_key, case_id) ON DELETE CASCADE,
  FOREIGN KEY (result_key, plugin_key) REFERENCES prpm_result_plugins (result_key, plugin_key) ON DELETE CASCADE
) STRICT;
