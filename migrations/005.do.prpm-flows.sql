-- PrPM (PrCore) client workflow: uploaded event logs and their definitions,
-- the details and plugins of projects, and the test file uploaded with a log
-- that waits for its project. Times are sandbox milliseconds.
CREATE TABLE prpm_event_logs (
  id                    INTEGER PRIMARY KEY,
  file_name             TEXT NOT NULL,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER,
  columns               TEXT NOT NULL,  -- JSON array, in file order
  row_count             INTEGER NOT NULL,
  definition            TEXT,           -- JSON (columns_definition, case_attributes, fast_mode, transitions, outcome, treatment); NULL until defined
  definition_id         INTEGER,
  definition_created_at INTEGER,
  definition_updated_at INTEGER
) STRICT;

-- How often each value occurs per column, up to a cap of distinct values per
-- column: activities for NEXT_ACTIVITY and the counts PUT /event_log answers.
CREATE TABLE prpm_event_log_values (
  event_log_id INTEGER NOT NULL REFERENCES prpm_event_logs (id) ON DELETE CASCADE,
  column_name  TEXT NOT NULL,
  position     INTEGER NOT NULL,  -- order of first appearance
  value        TEXT NOT NULL,
  count        INTEGER NOT NULL,
  PRIMARY KEY (event_log_id, column_name, value)
) STRICT;

-- The ongoing dataset uploaded as `test` with a log, kept until its project is created.
CREATE TABLE prpm_event_log_tests (
  event_log_id INTEGER PRIMARY KEY REFERENCES prpm_event_logs (id) ON DELETE CASCADE,
  columns      TEXT NOT NULL,  -- JSON array
  rows         TEXT NOT NULL   -- JSON array of rows of strings or nulls
) STRICT;

CREATE TABLE prpm_project_details (
  project_id   INTEGER PRIMARY KEY REFERENCES prpm_projects (id) ON DELETE CASCADE,
  event_log_id INTEGER REFERENCES prpm_event_logs (id) ON DELETE SET NULL,
  name         TEXT NOT NULL,
  description  TEXT,
  error        TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER,
  training_at  INTEGER,  -- PREPROCESSING ends (plugins appear), NULL when not training on the clock
  trained_at   INTEGER   -- TRAINING ends
) STRICT;
CREATE INDEX prpm_project_details_event_log ON prpm_project_details (event_log_id);

-- The plugins of a project; `status` is where training leaves each one.
CREATE TABLE prpm_project_plugins (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id      INTEGER NOT NULL REFERENCES prpm_projects (id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  plugin_key      TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  parameters      TEXT NOT NULL,  -- JSON object
  additional_info TEXT NOT NULL,  -- JSON object
  status          TEXT NOT NULL CHECK (status IN ('TRAINED', 'ERROR')),
  error           TEXT,
  UNIQUE (project_id, plugin_key)
) STRICT;
