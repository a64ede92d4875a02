"""Old import paths of potash 0.1 (``potash.prices``, ``potash.eventstudy.engine``, ...).

The package was reorganised into layers (``core``, ``data``, ``figures``, ``estimators``,
``analyses``, ``pipeline``; see ``docs/architecture.md``). For one release an old module path
still imports, as the same module object as its new home, with a ``DeprecationWarning``
naming the new path. No module of the package imports an old path (a test checks this).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

__all__ = ["MOVED", "install"]

#: Old module path -> new module path (a prefix maps its submodules too).
MOVED: dict[str, str] = {
    "potash.errors": "potash.core.errors",
    "potash._options": "potash.core.options",
    "potash._results": "potash.core.results",
    "potash.paths": "potash.core.paths",
    "potash._io": "potash.core.io",
    "potash.eventstudy.sanctions": "potash.analyses.equities",
    "potash.eventstudy": "potash.estimators.eventstudy",
    "potash.prices": "potash.estimators.its",
    "potash.breaks": "potash.estimators.breaks",
    "potash.panel": "potash.estimators.ppml",
    "potash.synth": "potash.estimators.synth",
    "potash.market": "potash.analyses.market",
    "potash.routes": "potash.analyses.routes",
    "potash.overview": "potash.analyses.overview",
    "potash.relief": "potash.analyses.relief",
    "potash.refresh": "potash.pipeline.refresh",
    "potash.ingest": "potash.pipeline.ingest",
    "potash.report": "potash.pipeline.report",
    "potash.methods": "potash.pipeline.appendix",
    "potash.cli": "potash.pipeline.cli",
    "potash._synthetic": "potash.pipeline.synthetic_baci",
}


def new_name(old: str) -> str | None:
    """The new path of an old module path, or None if it did not move.

    Examples
    --------
    >>> new_name("potash.eventstudy.engine"), new_name("potash.data.trade")
    ('potash.estimators.eventstudy.engine', None)
    """
    for prefix in sorted(MOVED, key=len, reverse=True):
        if old == prefix or old.startswith(prefix + "."):
            return MOVED[prefix] + old[len(prefix):]
    return None


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} moved to {self.target}; the old path goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module(self.target)
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._spec  # the import system set the old spec on the module


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object = None, target: object = None):
        new = new_name(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(new))


def install() -> None:
    """Put the finder of old paths on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())  # before the path finder, which would load a copy
