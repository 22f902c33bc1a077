-- Workflows a test makes through the control API: each task's run (how long,
-- how it ends) and, when the test gives them, its exact rows (JSON array of
-- arrays of strings; NULL: rows are generated, row_count of them).
ALTER TABLE explorer_workflow_tasks ADD COLUMN runs_for_ms INTEGER;
ALTER TABLE explorer_workflow_tasks ADD COLUMN outcome TEXT NOT NULL DEFAULT 'success' CHECK (outcome IN ('success', 'failed'));
ALTER TABLE explorer_workflow_tasks ADD COLUMN rows TEXT;
