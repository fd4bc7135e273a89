"""Plain record classes, for the warm `focus usage` path: importing :mod:`dataclasses` (and
:mod:`inspect` with it) costs such a run about 7 ms, more than its whole report
(readers.workspace.Workspace says why). A subclass names its fields in ``FIELDS`` and sets
them in its ``__init__``; equality and the repr come from them, as a dataclass's would."""

from __future__ import annotations

from typing import Any, ClassVar


class Plain:
    """Compared and shown by its ``FIELDS``; mutable, so not hashable (as ``@dataclass``)."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    __slots__ = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({fields})"
