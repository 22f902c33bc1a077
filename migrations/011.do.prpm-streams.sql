-- PrPM (PrCore): the rest of its API. Uploaded files are kept (dataset
-- downloads, re-upload, the simulator), plugins carry PrCore's own status and
-- switches, and projects stream: runs, posted events and their cases.
-- Times are sandbox milliseconds.

-- The first upload is what pre-processing reads, then and at every retraining;
-- a re-upload replaces only the file the `original` download gives.
CREATE TABLE prpm_event_log_files (
  event_log_id    INTEGER PRIMARY KEY REFERENCES prpm_event_logs (id) ON DELETE CASCADE,
  extension       TEXT NOT NULL,  -- of the first upload, lower case: csv, xes, zip, gz
  separator       TEXT NOT NULL,
  bytes           BLOB,           -- NULL: a fixture's sample log, made from the log's own definition when needed
  latest_extension TEXT,          -- NULL until re-uploaded
  latest_bytes    BLOB
) STRICT;

-- The first five events as the upload answered them (GET /event_log/{id}/definition).
ALTER TABLE prpm_event_logs ADD COLUMN head TEXT NOT NULL DEFAULT '[]';

-- Plugins as PrCore keeps them: every status a plugin passes, its switch, its last change.
CREATE TABLE prpm_project_plugins_new (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id      INTEGER NOT NULL REFERENCES prpm_projects (id) ON DELETE CASCADE,
  position        INTEGER NOT NULL,
  plugin_key      TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER,
  parameters      TEXT NOT NULL,  -- JSON object
  additional_info TEXT NOT NULL,  -- JSON object
  status          TEXT NOT NULL CHECK (status IN ('WAITING', 'PREPROCESSING', 'TRAINING', 'TRAINED', 'STREAMING', 'ERROR')),
  error           TEXT,
  disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  UNIQUE (project_id, plugin_key)
) STRICT;
-- Until now a plugin's last change was its project's end of training.
INSERT INTO prpm_project_plugins_new (id, project_id, position, plugin_key, created_at, updated_at, parameters, additional_info, status, error)
  SELECT p.id, p.project_id, p.position, p.plugin_key, p.created_at,
         CASE WHEN pr.status IN ('PREPROCESSING', 'TRAINING') THEN NULL ELSE d.trained_at END,
         p.parameters, p.additional_info,
         CASE WHEN p.status = 'ERROR' THEN 'ERROR' WHEN pr.status IN ('PREPROCESSING', 'TRAINING') THEN 'TRAINING' ELSE 'TRAINED' END,
         p.error
  FROM prpm_project_plugins p JOIN prpm_projects pr ON pr.id = p.project_id
  LEFT JOIN prpm_project_details d ON d.project_id = p.project_id;
DROP TABLE prpm_project_plugins;
ALTER TABLE prpm_project_plugins_new RENAME TO prpm_project_plugins;

-- One run of a project's stream, from stream/start to its end. A reader that
-- connected to a run hears FINISHED once the run has ended or another began.
CREATE TABLE prpm_stream_runs (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id     INTEGER NOT NULL REFERENCES prpm_projects (id) ON DELETE CASCADE,
  kind           TEXT NOT NULL CHECK (kind IN ('STREAMING', 'SIMULATING')),
  started_at     INTEGER NOT NULL,
  finished_at    INTEGER,
  -- The simulator: the rows it posts (JSON array of objects), how many it has posted, when the next is due.
  rows           TEXT,
  posted         INTEGER NOT NULL DEFAULT 0,
  next_post_at   INTEGER,
  -- PrCore's minute timer stops a simulation nobody reads: the reader's presence and when it left.
  reader_open    INTEGER NOT NULL DEFAULT 0,
  reader_left_at INTEGER,
  -- A finished simulation returns its project to TRAINED once the plugins have answered its last event.
  trained_at     INTEGER
) STRICT;
CREATE INDEX prpm_stream_runs_project ON prpm_stream_runs (project_id, id);

-- Cases opened by posted events; a last event completes its case.
CREATE TABLE prpm_stream_cases (
  project_id INTEGER NOT NULL REFERENCES prpm_projects (id) ON DELETE CASCADE,
  case_id    TEXT NOT NULL,
  completed  INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
  PRIMARY KEY (project_id, case_id)
) STRICT;

-- Posted events: prescribed at `prescribed_at` (the plugins' answers, on the clock), then sent once to a reader.
CREATE TABLE prpm_stream_events (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id    INTEGER NOT NULL REFERENCES prpm_projects (id) ON DELETE CASCADE,
  case_id       TEXT NOT NULL,
  attributes    TEXT NOT NULL,  -- JSON object, JSONB key order, values strings or null
  created_at    INTEGER NOT NULL,
  prescribed_at INTEGER NOT NULL,
  prescriptions TEXT NOT NULL,  -- JSON object by plugin key, JSONB key order
  sent          INTEGER NOT NULL DEFAULT 0 CHECK (sent IN (0, 1)),
  FOREIGN KEY (project_id, case_id) REFERENCES prpm_stream_cases (project_id, case_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX prpm_stream_events_pending ON prpm_stream_events (project_id, prescribed_at) WHERE sent = 0;
CREATE INDEX prpm_stream_events_case ON prpm_stream_events (project_id, case_id, id);
