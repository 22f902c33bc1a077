-- NebulaGraph Explorer workflow API flows: the workflows a job is made from,
-- job and task times, the steps each job still has to take on the sandbox
-- clock, and the tokens POST /api-open/v1/connect issued. Times are sandbox
-- milliseconds; NULL is "has not happened yet".
ALTER TABLE explorer_jobs ADD COLUMN create_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE explorer_jobs ADD COLUMN run_begin_time INTEGER;
ALTER TABLE explorer_jobs ADD COLUMN run_end_time INTEGER;
ALTER TABLE explorer_jobs ADD COLUMN input TEXT NOT NULL DEFAULT '{}';  -- JSON, the job's input parameters as given
CREATE INDEX explorer_jobs_create_time ON explorer_jobs (create_time, id);
CREATE INDEX explorer_jobs_workflow ON explorer_jobs (workflow_id, create_time, id);

ALTER TABLE explorer_tasks ADD COLUMN position INTEGER NOT NULL DEFAULT 0;  -- order in the job (then rowid, for stores seeded before)
ALTER TABLE explorer_tasks ADD COLUMN run_begin_time INTEGER;
ALTER TABLE explorer_tasks ADD COLUMN run_end_time INTEGER;
ALTER TABLE explorer_tasks ADD COLUMN row_count INTEGER;  -- rows generated when the task succeeds; NULL: its rows are stored as given

CREATE TABLE explorer_workflows (
  id   TEXT PRIMARY KEY,  -- digits: the vendor's workflowId is a string
  name TEXT NOT NULL
) STRICT;

CREATE TABLE explorer_workflow_tasks (
  workflow_id TEXT NOT NULL REFERENCES explorer_workflows (id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  position    INTEGER NOT NULL,
  name        TEXT NOT NULL,  -- the algorithm, e.g. PageRank
  columns     TEXT NOT NULL,  -- JSON array of column names
  row_count   INTEGER NOT NULL,
  params      TEXT NOT NULL,  -- JSON array: input parameters a new job must give this task
  PRIMARY KEY (workflow_id, id)
) STRICT;

-- What each job still has to do: at due_at, the job (task_id NULL) or one of
-- its tasks takes the status. Applied in (due_at, job_id, seq) order, then deleted.
CREATE TABLE explorer_job_steps (
  job_id  INTEGER NOT NULL REFERENCES explorer_jobs (id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,
  due_at  INTEGER NOT NULL,
  task_id TEXT,
  status  INTEGER NOT NULL CHECK (status BETWEEN 0 AND 5),
  PRIMARY KEY (job_id, seq),
  FOREIGN KEY (job_id, task_id) REFERENCES explorer_tasks (job_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX explorer_job_steps_due ON explorer_job_steps (due_at, job_id, seq);

CREATE TABLE explorer_tokens (
  token      TEXT PRIMARY KEY,
  account    TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX explorer_tokens_expires_at ON explorer_tokens (expires_at);
