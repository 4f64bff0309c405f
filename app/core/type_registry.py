"""One registry class for every kind of declared type (actions, widgets): lookup by id, legacy ids, palette order.

Declarations are plain objects, one per module of a package (orange-canvas-core's
widget descriptions); a registry finds them by the module attribute that holds
them, so adding a type is adding a module. Nothing here imports Qt.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Generic, Protocol, TypeVar


class Declared(Protocol):
    """What a registry needs of a declaration."""

    @property
    def id(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def legacy_ids(self) -> tuple[str, ...]: ...


T = TypeVar("T", bound=Declared)


class DuplicateTypeError(ValueError):
    """Two declarations claim one id (or legacy id)."""


class UnknownTypeError(KeyError):
    """No type has this id; ``kind`` says which registry was asked ("action type", "widget type")."""

    kind = "type"

    def __str__(self) -> str:
        return f"unknown {self.kind} {self.args[0]!r}"


class TypeRegistry(Generic[T]):
    """Types by id in registration order; legacy ids resolve to the type that replaced them.

    ``category_order`` is the palette order of the built-in categories; any
    other category follows them, alphabetically.
    """

    kind = "type"
    unknown_error: type[UnknownTypeError] = UnknownTypeError
    duplicate_error: type[DuplicateTypeError] = DuplicateTypeError
    category_order: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._types: dict[str, T] = {}
        self._aliases: dict[str, str] = {}

    def register(self, declared: T) -> T:
        for key in (declared.id, *declared.legacy_ids):
            if key in self._types or key in self._aliases:
                raise self.duplicate_error(f"{self.kind} id {key!r} is already registered")
        self._types[declared.id] = declared
        for legacy in declared.legacy_ids:
            self._aliases[legacy] = declared.id
        return declared

    def get(self, type_id: str) -> T:
        try:
            return self._types[self._aliases.get(type_id, type_id)]
        except KeyError:
            raise self.unknown_error(type_id) from None

    def find(self, type_id: str) -> T | None:
        """The type, or None when no type (or legacy id) is ``type_id``."""
        return self._types.get(self._aliases.get(type_id, type_id))

    def canonical_id(self, type_id: str) -> str:
        return self.get(type_id).id

    def __contains__(self, type_id: object) -> bool:
        return isinstance(type_id, str) and (type_id in self._types or type_id in self._aliases)

    def __iter__(self) -> Iterator[T]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def category_rank(self, category: str) -> tuple[int, str]:
        """Sort key: built-in categories in palette order, then the others alphabetically."""
        order = self.category_order
        return (order.index(category), "") if category in order else (len(order), category)

    def admits(self, declared: T, where: str) -> bool:
        """Whether a type belongs in the palette of ``where`` (a kind of workflow, say); all do unless a registry says otherwise."""
        return True

    def categories(self, where: str | None = None) -> dict[str, list[T]]:
        """Types by category, categories in palette order, types in registration order; ``where`` keeps those it admits."""
        grouped: dict[str, list[T]] = {}
        for declared in self._types.values():
            if where is None or self.admits(declared, where):
                grouped.setdefault(declared.category, []).append(declared)
        return dict(sorted(grouped.items(), key=lambda item: self.category_rank(item[0])))

    def load_package(self, package_name: str, attribute: str, declared_type: type[T]) -> TypeRegistry[T]:
        """Register what every module of ``package_name`` declares as ``attribute`` (modules in name order)."""
        package = importlib.import_module(package_name)
        for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package_name}.{module_info.name}")
            declared = getattr(module, attribute, None)
            if isinstance(declared, declared_type):
                self.register(declared)
        return self
