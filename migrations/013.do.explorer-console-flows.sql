-- NebulaGraph Explorer's web console: workflows as it makes them (POST /api-analytics/flows, then PUT with the
-- DAG it draws), the DAG versions its job runs leave (a flow's history), the analytics controller's own job id
-- for each job (ctlJobId, which names its HDFS result folder), and rows a test attaches to a task by workflow
-- name and task id (for what the sandbox cannot know: an nGQL query's matches, a real graph's APSP).

-- The DAG as the console saved it, a string kept verbatim (NULL: a workflow of the fixture or the control API).
ALTER TABLE explorer_workflows ADD COLUMN schema TEXT;
ALTER TABLE explorer_workflows ADD COLUMN create_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE explorer_workflows ADD COLUMN update_time INTEGER NOT NULL DEFAULT 0;
CREATE INDEX explorer_workflows_create_time ON explorer_workflows (create_time);

-- What a task of a console workflow takes from its DAG (JSON; NULL for the others): its algorithm, its spec
-- with ${name} placeholders, the upstream tasks it reads and the params they feed.
ALTER TABLE explorer_workflow_tasks ADD COLUMN dag TEXT;

-- A flow's history: the DAG each of its jobs ran with, newest last by seq.
CREATE TABLE explorer_workflow_versions (
  seq         INTEGER PRIMARY KEY,
  id          INTEGER NOT NULL UNIQUE,  -- the history id the console shows (10 digits)
  workflow_id TEXT NOT NULL REFERENCES explorer_workflows (id) ON DELETE CASCADE,
  schema      TEXT NOT NULL,
  job_id      INTEGER,
  create_time INTEGER NOT NULL
) STRICT;
CREATE INDEX explorer_workflow_versions_workflow ON explorer_workflow_versions (workflow_id, seq);

-- The analytics controller's id for a job, from its own count (1, 2, …): its results sit under
-- /analytics/<ctl_job_id>/tasks/<task id>/. The jobs stored before count in id order.
ALTER TABLE explorer_jobs ADD COLUMN ctl_job_id INTEGER;
UPDATE explorer_jobs SET ctl_job_id = (SELECT COUNT(*) FROM explorer_jobs AS earlier WHERE earlier.id <= explorer_jobs.id);
CREATE UNIQUE INDEX explorer_jobs_ctl_job_id ON explorer_jobs (ctl_job_id);

-- Rows (or a count of rows to generate) a job's task gives, by its workflow's name and the task id: set before
-- or after the workflow exists, used by every job made afterwards.
CREATE TABLE explorer_task_results (
  workflow_name TEXT NOT NULL,
  task_id       TEXT NOT NULL,
  rows          TEXT,     -- JSON array of arrays of strings
  row_count     INTEGER,  -- rows to generate, when rows is NULL
  PRIMARY KEY (workflow_name, task_id),
  CHECK ((rows IS NULL) <> (row_count IS NULL))
) STRICT;
