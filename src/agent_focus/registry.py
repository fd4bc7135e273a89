"""A name -> factory registry, shared by metric collectors and planner providers.

A new collector or provider is one module with one decorated class (as simonw/llm
registers its models); the built-in modules are imported the first time the registry is
read, so nothing heavy loads before a command needs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, builtin_modules: tuple[str, ...]):
        self._factories: dict[str, Callable[[], T]] = {}
        self._builtin_modules = builtin_modules

    def register(self, name: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
        def add(factory: Callable[[], T]) -> Callable[[], T]:
            self._factories[name] = factory
            return factory

        return add

    def all(self) -> dict[str, Callable[[], T]]:
        for module in self._builtin_modules:
            importlib.import_module(module)
        return dict(self._factories)
