-- Graphs by NebulaGraph space: a console DAG's task reads the space its datasource names, and a test may give a
-- space a graph of its own; the space '' holds the graph every other space reads (the sample, basketballplayer).
-- The tables are made again with the space in their keys (the same vid may be in two spaces), rows kept in order.
CREATE TABLE explorer_graph_vertices_by_space (
  space TEXT NOT NULL DEFAULT '',
  vid   TEXT NOT NULL,
  tag   TEXT NOT NULL,
  props TEXT NOT NULL,  -- JSON object
  UNIQUE (space, vid)
) STRICT;
INSERT INTO explorer_graph_vertices_by_space (vid, tag, props) SELECT vid, tag, props FROM explorer_graph_vertices ORDER BY rowid;
DROP TABLE explorer_graph_vertices;
ALTER TABLE explorer_graph_vertices_by_space RENAME TO explorer_graph_vertices;

CREATE TABLE explorer_graph_edges_by_space (
  space TEXT NOT NULL DEFAULT '',
  type  TEXT NOT NULL,
  src   TEXT NOT NULL,
  dst   TEXT NOT NULL,
  rank  INTEGER NOT NULL,
  props TEXT NOT NULL,  -- JSON object
  UNIQUE (space, type, src, dst, rank)
) STRICT;
INSERT INTO explorer_graph_edges_by_space (type, src, dst, rank, props) SELECT type, src, dst, rank, props FROM explorer_graph_edges ORDER BY rowid;
DROP TABLE explorer_graph_edges;
ALTER TABLE explorer_graph_edges_by_space RENAME TO explorer_graph_edges;

-- A generated graph in place of a space's listed one (a control-API scenario's, for large tests): how to draw it,
-- not its edges, since a million vertices' three million edges are drawn again in a few tens of milliseconds.
CREATE TABLE explorer_graph_generated (
  space            TEXT PRIMARY KEY,
  size             INTEGER NOT NULL,
  edges_per_vertex INTEGER NOT NULL,
  seed             INTEGER NOT NULL
) STRICT;
