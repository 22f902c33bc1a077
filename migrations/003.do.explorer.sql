-- NebulaGraph Explorer workflow API: jobs, their tasks and each task's result rows.
CREATE TABLE explorer_jobs (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  workflow_id   TEXT NOT NULL,
  workflow_name TEXT NOT NULL,
  status        INTEGER NOT NULL CHECK (status BETWEEN 0 AND 5)
) STRICT;

CREATE TABLE explorer_tasks (
  job_id  INTEGER NOT NULL REFERENCES explorer_jobs (id) ON DELETE CASCADE,
  id      TEXT NOT NULL,
  name    TEXT NOT NULL,  -- the algorithm, e.g. PageRank
  status  INTEGER NOT NULL CHECK (status BETWEEN 0 AND 5),
  columns TEXT NOT NULL,  -- JSON array of column names, e.g. ["VID","VALUE"]
  PRIMARY KEY (job_id, id)
) STRICT;

CREATE TABLE explorer_task_rows (
  job_id  INTEGER NOT NULL,
  task_id TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  cells   TEXT NOT NULL,  -- JSON array of strings
  PRIMARY KEY (job_id, task_id, ordinal),
  FOREIGN KEY (job_id, task_id) REFERENCES explorer_tasks (job_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
