-- A generated graph in place of the stored one (a control-API scenario's, for large tests): how to draw it, not its
-- edges, since a million vertices' three million edges are drawn again in a few tens of milliseconds. At most one
-- row; when there is one, tasks compute on it, and the vertex and edge tables are empty.
CREATE TABLE explorer_graph_generated (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  size             INTEGER NOT NULL,
  edges_per_vertex INTEGER NOT NULL,
  seed             INTEGER NOT NULL
) STRICT;
