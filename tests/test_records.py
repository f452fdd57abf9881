"""ses_lsp._records: the start-up-friendly stand-in for dataclasses behaves like it."""

from __future__ import annotations

import pytest

from ses_lsp._records import dataclass, field, fields, replace


@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tag: str = field(default="", compare=False)


@dataclass
class Bag:
    name: str
    items: list = field(default_factory=list)


def test_frozen_records_compare_hash_and_refuse_assignment():
    p = Point(1, 2, tag="a")
    assert p == Point(1, 2, tag="b") and hash(p) == hash(Point(1, 2))
    assert p != Point(2, 2)
    with pytest.raises(AttributeError):
        p.x = 5  # type: ignore[misc]
    assert replace(p, y=7) == Point(1, 7)
    assert repr(p) == "Point(x=1, y=2, tag='a')"
    assert [f.name for f in fields(p)] == ["x", "y", "tag"]


def test_mutable_records_get_fresh_defaults_and_are_unhashable():
    a, b = Bag("a"), Bag("b")
    a.items.append(1)
    assert b.items == [] and a == Bag("a", [1])
    with pytest.raises(TypeError):
        hash(a)
    with pytest.raises(TypeError):
        replace(a, nope=1)


def test_init_is_compiled_on_first_instance_and_inherited():
    @dataclass
    class Base:
        a: int
        b: list = field(default_factory=list)

        def __post_init__(self) -> None:
            self.seen = True

    class Sub(Base):  # a plain subclass: inherits the record's __init__
        pass

    stub = Base.__dict__["__init__"]
    s = Sub(1)  # the first instance, through the subclass
    assert (s.a, s.b, s.seen) == (1, [], True)
    assert Base.__dict__["__init__"] is not stub  # replaced by the compiled one
    assert Base(2, [3]) == Base(2, [3]) and Base(2).b is not Base(2).b
    with pytest.raises(TypeError):
        Base()  # type: ignore[call-arg]
