-- The graph Explorer's tasks run on: NebulaGraph's sample space basketballplayer (fixtures/basketballplayer.json,
-- from nebula-console's data/basketballplayer.ngql), its vertices with their tag and properties, its edges with
-- their type, rank and properties. Kept in the order the space was written in (rowid), which is the order an
-- algorithm reads them in: the same graph gives the same sums to the last bit.
CREATE TABLE explorer_graph_vertices (
  vid   TEXT NOT NULL UNIQUE,
  tag   TEXT NOT NULL,
  props TEXT NOT NULL  -- JSON object
) STRICT;

CREATE TABLE explorer_graph_edges (
  type  TEXT NOT NULL,
  src   TEXT NOT NULL,
  dst   TEXT NOT NULL,
  rank  INTEGER NOT NULL,
  props TEXT NOT NULL,  -- JSON object
  UNIQUE (type, src, dst, rank)
) STRICT;

-- How a task's rows are computed on the graph when it succeeds (JSON: the algorithm and its parameters); NULL:
-- its rows are given, or generated (row_count of them).
ALTER TABLE explorer_tasks ADD COLUMN compute TEXT;
