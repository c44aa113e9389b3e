"""Serving the graph over HTTP: a read-only SPARQL 1.1 Protocol endpoint and linked-data pages.

One Starlette application (:mod:`evgraph.serve.app`) over the same store and queries as the CLI:
:mod:`evgraph.serve.sparql` answers SPARQL, :mod:`evgraph.serve.pages` the pages a browser or a
linked-data client asks for.
"""
