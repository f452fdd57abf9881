"""A small stand-in for :mod:`dataclasses`, for start-up time.

``dataclasses`` imports :mod:`inspect` (and with it ``ast``, ``dis``,
``tokenize``...), about 10 ms of a CLI whose whole budget is ~70 ms.  The
classes of the lint path only need what is here: fields from annotations in
order, defaults and default factories, ``frozen`` (immutable, hashable),
``__eq__`` / ``__repr__``, fields left out of comparison, and ``replace``.
The names and signatures match ``dataclasses`` so the classes read the same.
"""

from __future__ import annotations

_MISSING = object()


class Field:
    __slots__ = ("default", "default_factory", "compare", "hash", "repr", "name")

    def __init__(self, default=_MISSING, default_factory=_MISSING, compare=True, hash=None, repr=True):
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.hash = compare if hash is None else hash
        self.repr = repr
        self.name = ""


def field(*, default=_MISSING, default_factory=_MISSING, compare=True, hash=None, repr=True):  # noqa: A002
    return Field(default, default_factory, compare, hash, repr)


def _fields_of(cls) -> list[Field]:
    fields: list[Field] = []
    seen: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in getattr(base, "__record_fields__", ()):
            seen[f.name] = f
    for name, ann in cls.__dict__.get("__annotations__", {}).items():
        if isinstance(ann, str) and ann.startswith("ClassVar"):
            continue
        value = cls.__dict__.get(name, _MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        f.name = name
        seen[name] = f
        if isinstance(value, Field):
            if f.default is _MISSING:
                try:
                    delattr(cls, name)
                except AttributeError:
                    pass
            else:
                setattr(cls, name, f.default)
    fields.extend(seen.values())
    return fields


def dataclass(cls=None, /, *, frozen: bool = False, eq: bool = True, slots: bool = False):
    """Add ``__init__``, ``__repr__``, ``__eq__`` (and ``__hash__`` when frozen)."""

    def wrap(cls):
        fields = _fields_of(cls)
        cls.__record_fields__ = tuple(fields)
        glob: dict = {"_MISSING": _MISSING, "_object_setattr": object.__setattr__}
        args, body = [], []
        for f in fields:
            if f.default_factory is not _MISSING:
                glob[f"_factory_{f.name}"] = f.default_factory
                args.append(f"{f.name}=_MISSING")
                value = f"_factory_{f.name}() if {f.name} is _MISSING else {f.name}"
            elif f.default is not _MISSING:
                glob[f"_default_{f.name}"] = f.default
                args.append(f"{f.name}=_default_{f.name}")
                value = f.name
            else:
                if any("=" in a for a in args):
                    raise TypeError(f"non-default field {f.name!r} follows a default one in {cls.__name__}")
                args.append(f.name)
                value = f.name
            if frozen:  # write the instance dict directly: __setattr__ refuses
                body.append(f"  _d[{f.name!r}] = {value}")
            else:
                body.append(f"  self.{f.name} = {value}")
        if "__post_init__" in cls.__dict__ or any(hasattr(b, "__post_init__") for b in cls.__mro__[1:]):
            body.append("  self.__post_init__()")
        if frozen:
            body.insert(0, "  _d = self.__dict__")
        src = f"def __init__(self, {', '.join(args)}):\n" + ("\n".join(body) or "  pass")

        def __init__(self, *args, **kwargs):
            # Compiled on the first instance: a run instantiates few of the record
            # classes it imports, and compiling one costs ~50 us of start-up.
            exec(src, glob)  # noqa: S102 - generated from field names only
            real = glob["__init__"]
            real.__qualname__ = f"{cls.__qualname__}.__init__"
            if cls.__dict__.get("__init__") is __init__:
                cls.__init__ = real
            real(self, *args, **kwargs)

        __init__.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = __init__

        names = tuple(f.name for f in fields)
        cmp_names = tuple(f.name for f in fields if f.compare)
        hash_names = tuple(f.name for f in fields if f.hash)
        repr_names = tuple(f.name for f in fields if f.repr)

        if "__repr__" not in cls.__dict__:
            def __repr__(self):
                inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in repr_names)
                return f"{type(self).__qualname__}({inner})"

            cls.__repr__ = __repr__
        if eq and "__eq__" not in cls.__dict__:
            def __eq__(self, other):
                if other.__class__ is not self.__class__:
                    return NotImplemented
                return all(getattr(self, n) == getattr(other, n) for n in cmp_names)

            cls.__eq__ = __eq__
        if frozen:
            def __setattr__(self, name, value):
                raise AttributeError(f"cannot assign to field {name!r} of frozen {type(self).__name__}")

            def __delattr__(self, name):
                raise AttributeError(f"cannot delete field {name!r} of frozen {type(self).__name__}")

            def __hash__(self):
                return hash(tuple(getattr(self, n) for n in hash_names))

            cls.__setattr__ = __setattr__
            cls.__delattr__ = __delattr__
            if "__hash__" not in cls.__dict__ or cls.__dict__["__hash__"] is None:
                cls.__hash__ = __hash__
        elif eq and "__hash__" not in cls.__dict__:
            cls.__hash__ = None  # mutable and comparable: unhashable, like dataclasses
        cls.__record_names__ = names
        cls.__match_args__ = names
        return cls

    return wrap if cls is None else wrap(cls)


def replace(obj, **changes):
    """A copy of a record with some fields changed (like ``dataclasses.replace``)."""
    values = {n: getattr(obj, n) for n in type(obj).__record_names__}
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field(s) {sorted(unknown)}")
    values.update(changes)
    return type(obj)(**values)


def fields(obj_or_cls) -> tuple[Field, ...]:
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    return cls.__record_fields__


def asdict(obj) -> dict:
    return {n: getattr(obj, n) for n in type(obj).__record_names__}
