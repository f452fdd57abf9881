"""Start-up helpers shared by every layer."""

from __future__ import annotations

import re


class lazy_re:  # noqa: N801 - used like re.compile
    """A regular expression compiled on first use (module import time is start-up time).

    After the first use the compiled pattern's methods are bound on the
    instance, so later calls cost nothing extra.
    """

    _METHODS = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        compiled = re.compile(*self._args)
        for method in self._METHODS:
            setattr(self, method, getattr(compiled, method))
        self.pattern = compiled.pattern
        self.flags = compiled.flags
        self.groupindex = compiled.groupindex
        return getattr(compiled, name)
