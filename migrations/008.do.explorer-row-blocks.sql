-- A task's result rows also kept joined, 4096 at a time: block b holds the cells of rows 4096 b to
-- 4096 b + 4095, comma-separated, exactly as sample_result sends them. A large answer is then a few hundred
-- reads of one string each, not a million of one row each (a seventh of the time). Only full blocks are
-- kept; the last rows of a task are read from explorer_task_rows.
CREATE TABLE explorer_task_row_blocks (
  job_id  INTEGER NOT NULL,
  task_id TEXT NOT NULL,
  block   INTEGER NOT NULL,
  cells   TEXT NOT NULL,
  PRIMARY KEY (job_id, task_id, block),
  FOREIGN KEY (job_id, task_id) REFERENCES explorer_tasks (job_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- The blocks of rows stored before this migration.
INSERT INTO explorer_task_row_blocks (job_id, task_id, block, cells)
SELECT job_id, task_id, ordinal / 4096, group_concat(cells, ',' ORDER BY ordinal)
FROM explorer_task_rows
GROUP BY job_id, task_id, ordinal / 4096
HAVING count(*) = 4096;
