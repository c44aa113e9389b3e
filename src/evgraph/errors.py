"""Typed errors raised by the library and rendered once, at the CLI or HTTP edge."""

from __future__ import annotations


class EvgraphError(Exception):
    """Something went wrong in evgraph."""

    exit_code = 2
    status = 400

    def __init__(self, message: str | None = None, hint: str | None = None):
        self.message = message or (self.__doc__ or "").strip()
        self.hint = hint
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n{self.hint}"


class DataError(EvgraphError):
    """The data could not be read."""

    status = 422


class ConfigError(EvgraphError):
    """A directory or option is not usable."""


class NotFound(EvgraphError):
    """Nothing in the graph matches."""

    status = 404


class QueryError(EvgraphError):
    """The query could not be run."""


class EndpointError(EvgraphError):
    """The SPARQL server could not answer."""

    status = 502
