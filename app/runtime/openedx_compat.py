"""What Open edX's platform gives the blocks that import from it, for blocks hosted here unmodified.

Some PyPI blocks import parts of edx-platform when they run, not at import (drag-and-drop v2 asks
``openedx.core.djangoapps.waffle_utils.CourseWaffleFlag`` whether to grade without decoys, whenever the
runtime has a ``course_id``, as ours has). Without edx-platform, such an import fails and the handler
answers 500. :func:`install` adds, at the end of ``sys.meta_path``, a finder that serves those modules
from here — only when no real module of that name can be found first.

Served:

- ``openedx.core.djangoapps.waffle_utils``: ``CourseWaffleFlag`` and ``WaffleFlag``, Open edX's feature
  flags (a namespace and a name; ``is_enabled(course_key)``). Their state is this platform's
  configuration: the flags named in ``XBLOCK_WAFFLE_FLAGS`` (``"drag_and_drop_v2.grading_ignore_decoys"``)
  are on, for every course; every other flag is off, as an Open edX flag is until someone turns it on.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Iterable, Sequence
from typing import Any

WAFFLE_MODULE = "openedx.core.djangoapps.waffle_utils"
_PACKAGES = ("openedx", "openedx.core", "openedx.core.djangoapps")

# The flags that are on (the platform's configuration, set by install()).
_enabled: set[str] = set()


def _flag_name(namespace_or_name: str, name: str | None) -> str:
    # Open edX's two signatures: (namespace, flag_name, module_name) before Olive, ("ns.flag", module_name)
    # since; a module name has dots, a flag name none.
    if name is None or "." in name:
        return namespace_or_name
    return f"{namespace_or_name}.{name}"


class WaffleFlag:
    """An Open edX feature flag: on when this platform's configuration names it."""

    def __init__(self, namespace_or_name: str, name: str | None = None, module_name: str | None = None):
        if not isinstance(namespace_or_name, str) or not namespace_or_name:
            raise ValueError("a waffle flag needs a name")
        self.name = _flag_name(namespace_or_name, name)
        self.module_name = module_name

    def is_enabled(self, *_args: Any) -> bool:
        """Whether the flag is on (the same for every course and learner here)."""
        return self.name in _enabled


class CourseWaffleFlag(WaffleFlag):
    """An Open edX flag that could differ per course; here it is on or off for the whole platform."""


def _waffle_module() -> types.ModuleType:
    module = types.ModuleType(WAFFLE_MODULE, __doc__)
    module.WaffleFlag = WaffleFlag  # type: ignore[attr-defined]
    module.CourseWaffleFlag = CourseWaffleFlag  # type: ignore[attr-defined]
    return module


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the modules above, last of all finders (a real edx-platform wins)."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> Any:
        if fullname in _PACKAGES:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        if fullname == WAFFLE_MODULE:
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        if spec.name == WAFFLE_MODULE:
            return _waffle_module()
        module = types.ModuleType(spec.name, "Open edX's package, as far as hosted blocks need it here.")
        module.__path__ = []  # a package: its submodules are found through the finders
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the module is complete."""


_FINDER = _Finder()


def install(enabled_flags: Iterable[str] = ()) -> None:
    """Serve the Open edX modules blocks import (once per process), with these flags on."""
    _enabled.clear()
    _enabled.update(str(flag) for flag in enabled_flags)
    if _FINDER not in sys.meta_path:
        sys.meta_path.append(_FINDER)
