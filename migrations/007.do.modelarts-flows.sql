-- ModelArts flows: what a client polls besides the results (the task and the
-- version details), and the status changes a version goes through on the
-- sandbox clock. Rows seeded before this migration keep 0 / '' until reset.
ALTER TABLE modelarts_tasks ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE modelarts_tasks ADD COLUMN create_time INTEGER NOT NULL DEFAULT 0;  -- ms, as the vendor gives it
ALTER TABLE modelarts_tasks ADD COLUMN template_id TEXT NOT NULL DEFAULT 'sys_data_augmentation';
ALTER TABLE modelarts_tasks ADD COLUMN input_path TEXT NOT NULL DEFAULT '';     -- OBS folder, /bucket/dir/
ALTER TABLE modelarts_tasks ADD COLUMN work_path TEXT NOT NULL DEFAULT '';      -- OBS folder, /bucket/dir/

ALTER TABLE modelarts_versions ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE modelarts_versions ADD COLUMN create_time INTEGER NOT NULL DEFAULT 0;
-- The time of the last status change; duration_seconds runs from started_at
-- (entering running) to ended_at (entering completed, failed or stopped).
ALTER TABLE modelarts_versions ADD COLUMN update_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE modelarts_versions ADD COLUMN started_at INTEGER;
ALTER TABLE modelarts_versions ADD COLUMN ended_at INTEGER;

-- Status changes still to come, with their sandbox due times, so a restart
-- resumes them and work that fell due while stopped runs in due order.
CREATE TABLE modelarts_version_steps (
  version_id TEXT NOT NULL REFERENCES modelarts_versions (version_id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  status     INTEGER NOT NULL CHECK (status BETWEEN 1 AND 4),
  due_at     INTEGER NOT NULL,
  PRIMARY KEY (version_id, seq)
) STRICT;
CREATE INDEX modelarts_version_steps_due ON modelarts_version_steps (due_at);
