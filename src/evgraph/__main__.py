"""`python -m evgraph` runs the command-line interface."""

from evgraph.cli import app

app(prog_name="evgraph")
