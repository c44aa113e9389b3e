"""The linked-data layer: the graph as versions to export, ingest and compare."""
