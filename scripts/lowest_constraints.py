"""Print a pip constraints file pinning every dependency to the lowest version pyproject.toml declares.

    python scripts/lowest_constraints.py > /tmp/lowest.txt
    pip install -c /tmp/lowest.txt -e '.[test]'

Each ``name>=X`` (runtime dependencies and the ``test`` extra) becomes ``name==X``; exact pins stay
as they are; environment markers are kept, so a dependency that does not apply is not forced in.
`.ci/run` uses it to run the suite on the lowest declared versions as well as the newest.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

_SPEC = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*?)\s*(;.*)?$")


def lowest(requirement: str) -> str | None:
    """``"PyYAML>=6.0.1"`` -> ``"PyYAML==6.0.1"``; None for a requirement with no lower bound."""
    m = _SPEC.match(requirement)
    if m is None:
        raise ValueError(f"cannot read requirement {requirement!r}")
    name, _extras, spec, marker = m.groups()
    bounds = dict(re.findall(r"(==|>=)\s*([^,\s]+)", spec))
    version = bounds.get("==") or bounds.get(">=")
    if version is None:
        return None
    return f"{name}=={version}{' ' + marker if marker else ''}"


def main() -> int:
    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    for line in filter(None, map(lowest, requirements)):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
