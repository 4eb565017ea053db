"""More handlers from modules named in the settings (TMS_JOB_PLUGINS): each module has a
``register(handlers)`` function that adds its handlers to the registry."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from tms_domain.kernel.jobs import JobHandlers


class JobPluginError(ValueError):
    """A plugin module cannot be used; the message names it."""


def load_job_plugins(handlers: JobHandlers, modules: Iterable[str]) -> JobHandlers:
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            raise JobPluginError(f"Job plugin {name!r} cannot be imported: {error}") from error
        register = getattr(module, "register", None)
        if not callable(register):
            raise JobPluginError(f"Job plugin {name!r} has no register(handlers) function")
        register(handlers)
    return handlers
