"""The machine a benchmark ran on, recorded beside its figures."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path


def machine() -> dict:
    """CPUs, memory, kernel, Python, the versions of evgraph and its engines, and the load average now."""
    def meminfo(key: str) -> int:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    versions = {}
    for name in ("evgraph", "pyoxigraph", "uvicorn", "starlette", "rdflib", "pyshacl", "pyld"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model, "ram_gib": round(meminfo("MemTotal") / 2**20, 1),
            "kernel": platform.release(), "python": platform.python_version(), "versions": versions,
            "load_average": [round(x, 2) for x in os.getloadavg()]}
