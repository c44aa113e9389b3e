"""Lineage: what rests on what, where the evidence is thin or stale, who stands behind it, and pictures of it.

The graph algorithms (networkx) run over a projection that queries build, so they see exactly what
the queries see.
"""
