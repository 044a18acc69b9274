"""SQLModel table objects built as SQLAlchemy builds the objects it loads, for the case pipeline's hot path.

SQLModel's `__init__` validates and sets each field in turn: about 60-80 µs an object, ten times the
cost of the rest of building it, and the pipeline builds one or two per case. What this relies on,
pinned by tests/internals/test_sqlmodel_objects.py:

1. `manager_of_class(model).new_instance()` makes an instrumented, empty instance (what the ORM does
   for a loaded row), and a table model keeps its field values in the instance's `__dict__`: filled
   with the fields' defaults and `values`, it is the object `__init__` builds (`model_dump` equal).
2. Such an object is an ordinary transient object: a session stores it, its attributes are
   instrumented (a change after it was built is written).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import configure_mappers
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlmodel import SQLModel

T = TypeVar("T", bound=SQLModel)


def detached(model: type[T], values: dict[str, Any]) -> T:
    """A model object holding `values` (and its fields' defaults), built as the ORM builds the objects it
    loads — straight into the instance — rather than through SQLModel's __init__, which sets each field
    in turn (ten times the cost: the hot path builds one or two per case). Not in any session."""
    defaults, factories = _defaults(model)
    instance: T = manager_of_class(model).new_instance()
    instance.__dict__.update(defaults)
    instance.__dict__.update({name: make() for name, make in factories.items() if name not in values})
    instance.__dict__.update(values)
    return instance


@functools.cache
def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """The model's default values, and the factories of those made anew for each object."""
    configure_mappers()  # as the first object built through __init__ would: the attributes' loaders exist
    fields = {name: field for name, field in model.model_fields.items() if not field.is_required()}
    factories = {name: f.default_factory for name, f in fields.items() if f.default_factory is not None}
    defaults = {name: f.get_default() for name, f in fields.items() if name not in factories}
    return defaults, factories  # type: ignore[return-value]
