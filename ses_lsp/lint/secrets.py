"""Credentials in a document: which values are secrets, and keeping them out of every output.

This module is the one home of the question "is this value a secret?".  A value
is a secret when it is

* the value of a member whose name denotes a credential (:func:`is_credential_name`):
  a name that looks password-, secret-, token- or key-like (``SmtpPassword``,
  ``ApiKey``, ``ClientSecret``; not ``SecretArn``, ``KmsKeyId``), or a name the
  tool maps to a sensitive member of the API model: a misspelling whose "did you
  mean" suggestion is one (``SmtpPasword`` for ``SmtpPassword``);
* anything inside such a value (a list or mapping given as a password);
* in YAML, the same value under another name: the anchored node (``&pw``) of an
  alias (``*pw``) that is a secret, and every alias of an anchored secret.

The API model also marks e-mail addresses and message texts ``sensitive``: they are
the user's own data in the user's own file and may be quoted; only credentials
are hidden (:func:`is_sensitive_shape`).

Every output channel goes through :class:`Secrets`: messages never quote a secret
(the validator asks :meth:`Secrets.__contains__`), source excerpts and diffs are
masked (:meth:`Secrets.redact`), fixes never carry one (the quoting fix inserts
only quote characters), hover, outline and completion leave them out, and, as a
backstop for every diagnostic of a lint, :meth:`Secrets.guard` replaces any
secret text left in a message or fix title and withholds a fix whose edits would
write one (so JSON, SARIF, GitHub annotations, the cache and the language
server's diagnostics and code actions cannot carry it either).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ses_lsp import schema as schema_mod
from ses_lsp.document.nodes import ARRAY, BOOLEAN, NULL, OBJECT, Node
from ses_lsp.lint.edits import yaml_properties_end
from ses_lsp.lint.text import closest, quote

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.lint.diagnostics import Diagnostic

__all__ = [
    "MASK",
    "Secrets",
    "find_secrets",
    "is_credential_name",
    "is_sensitive_shape",
    "redact",
    "sensitive_members",
]

_CREDENTIAL = r"(?i)(password|passwd|passphrase|secret|private.?key|api.?key|access.?key|token|credential)"
# Names that hold a reference to a credential, or facts about one, not the credential.
_NOT_CREDENTIAL = r"(?i)(arn|id|name|policy|type)$"

#: What replaces a secret inside a message or a fix title.
MASK = "***"
# Secret texts shorter than this are not searched for in messages (the backstop):
# such short strings turn up in ordinary words, and messages never quote a secret
# in the first place; source excerpts and diffs mask secrets of every length.
MIN_SCRUB = 4

_NAME_MEMO: dict[str, bool] = {}


def is_sensitive_shape(name: str, schema: dict) -> bool:
    """Is an API model shape a credential (``sensitive`` in the model and named like one)?"""
    return bool(schema.get("x-sensitive")) and _looks_like_credential(name)


def _looks_like_credential(name: str) -> bool:
    return re.search(_CREDENTIAL, name) is not None and re.search(_NOT_CREDENTIAL, name) is None


@functools.cache
def sensitive_members() -> frozenset[str]:
    """Names of the API model's members whose value is a credential (``SmtpPassword``)."""

    names: set[str] = set()
    prefix = "#/$defs/"
    for service in schema_mod.SERVICES:
        defs = schema_mod.load_service(service).get("$defs") or {}
        for shape in defs.values():
            for member, sub in (shape.get("properties") or {}).items():
                if not isinstance(sub, dict):
                    continue
                ref = sub.get("$ref")
                if isinstance(ref, str) and ref.startswith(prefix):
                    target = defs.get(ref[len(prefix) :])
                    if isinstance(target, dict) and is_sensitive_shape(ref[len(prefix) :], target):
                        names.add(member)
                elif is_sensitive_shape(member, sub):
                    names.add(member)
    return frozenset(names)


def is_credential_name(name: str) -> bool:
    """Does a member of this name hold a credential?

    True for a credential-like name (password, secret, token, private/API/access
    key, credential; but not ``...Arn``, ``...Id``, ``...Name``, ``...Policy``,
    ``...Type``, which name or describe one) and for a name the tool would take
    for a sensitive member of the API model: the same test as the "did you mean"
    suggestion of an unknown member (:func:`ses_lsp.lint.text.closest`), so any key
    for which the tool suggests ``SmtpPassword`` is one.
    """
    known = _NAME_MEMO.get(name)
    if known is None:
        known = _looks_like_credential(name) or closest(name, sorted(sensitive_members())) is not None
        if len(_NAME_MEMO) < 10_000:
            _NAME_MEMO[name] = known
    return known


def _key_name(key: Node) -> str:
    value = key.value
    return value if isinstance(value, str) else str(value)


class Secrets:
    """The secret values of one document (its tree as it was when they were found).

    ``node in secrets`` tells whether a node is (inside) a secret; :attr:`spans` are
    the source spans to mask; :attr:`texts` the secret strings (at least
    :data:`MIN_SCRUB` characters).  In messages only :attr:`needles` are searched:
    a secret as a message would quote it (``"..."``, ``'...'``), and anywhere if it
    is not a plain word.  A secret that is a word ("password", a real placeholder)
    may be a word of the message itself ("keep the password in Secrets Manager").
    """

    __slots__ = ("_nodes", "spans", "texts", "needles")

    def __init__(self, nodes: dict[int, Node], spans: list[tuple[int, int]], texts: Iterable[str]) -> None:

        # Keeping the nodes keeps their ids from being reused while this object lives.
        self._nodes = nodes
        self.spans = spans
        self.texts = _longest_first(set(texts))
        needles: dict[str, str] = {}  # what to look for -> what replaces it
        for t in self.texts:
            needles[quote(t)] = f'"{MASK}"'
            needles[f"'{t}'"] = f"'{MASK}'"
            if not t.isalpha():
                needles[t] = MASK
        self.needles = tuple((n, needles[n]) for n in _longest_first(set(needles)))

    def __bool__(self) -> bool:
        return bool(self._nodes)

    def merged(self, other: Secrets) -> Secrets:
        """The secrets of both (a template's and those of the views of its resources, which may
        hold a parameter's value where a credential goes)."""
        if not other:
            return self
        if not self:
            return other
        return Secrets(
            {**self._nodes, **other._nodes}, sorted({*self.spans, *other.spans}), (*self.texts, *other.texts)
        )

    def __contains__(self, node: object) -> bool:
        return id(node) in self._nodes

    def redact(self, text: str, offset: int = 0) -> str:
        """``text`` (which starts at ``offset`` in the document) with every secret masked by '*'."""
        return redact(text, self.spans, offset)

    def scrub(self, text: str) -> str:
        """A message with every secret in it (:attr:`needles`) replaced by :data:`MASK`
        (in the quotes it came in)."""
        for needle, mask in self.needles:
            if needle in text:
                text = text.replace(needle, mask)
        return text

    def quoted(self, text: str) -> bool:
        """Does a message contain a secret (:attr:`needles`)?"""
        return any(needle in text for needle, _ in self.needles)

    def mask_strings(self, text: str) -> str:
        """``text`` with every occurrence of a secret string masked by '*' (line breaks kept)."""
        for t in self.texts:
            if t in text:
                text = text.replace(t, "".join(c if c in "\r\n" else "*" for c in t))
        return text

    def carries(self, text: str) -> bool:
        """Does ``text`` (what an edit writes) contain a secret string, anywhere?"""
        return any(t in text for t in self.texts)

    def guard(self, diagnostics: list[Diagnostic]) -> None:
        """The backstop for a lint's diagnostics (changed in place): no message, related
        message or fix title quotes a secret, and no fix writes one (such a fix is withheld:
        its edits would print the secret in JSON, SARIF and the editor's code actions)."""
        if not self.texts:
            return
        from dataclasses import replace

        for d in diagnostics:
            d.message = self.scrub(d.message)
            if d.related and any(self.quoted(r.message) for r in d.related):
                d.related = [replace(r, message=self.scrub(r.message)) for r in d.related]
            fix = d.fix
            if fix is None:
                continue
            if any(self.carries(e.new_text) for e in fix.edits):
                d.fix = None
            elif self.quoted(fix.title):
                d.fix = replace(fix, title=self.scrub(fix.title))


def _longest_first(texts: set[str]) -> tuple[str, ...]:
    return tuple(sorted(texts, key=lambda t: (-len(t), t)))


EMPTY = Secrets({}, [], ())


def find_secrets(document: Document | None) -> Secrets:
    """The secrets of ``document`` (see the module docstring).  Never raises for any tree."""
    if document is None:
        return EMPTY
    root = document.root
    if root is None:
        return EMPTY
    text = document.text
    # YAML anchors and aliases (scalars among them) are looked at only where both occur.
    yaml = document.format == "yaml" and "&" in text and "*" in text
    marked: dict[int, Node] = {}
    anchors: dict[str, list[Node]] = {}
    aliases: list[Node] = []
    memo = _NAME_MEMO
    # Only collections can hold a member: without YAML aliases to look at, scalars are not visited.
    stack: list[Node] = [root]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if yaml:
            if node.anchor is not None:
                anchors.setdefault(node.anchor, []).append(node)
            elif text.startswith("*", node.start) and _alias_root(node):
                aliases.append(node)
        kind = node.kind
        if kind == OBJECT:
            for k, v in node.members or ():
                name = k.value
                secret = memo.get(name) if name.__class__ is str else None
                if secret is None:
                    secret = is_credential_name(_key_name(k))
                if secret:
                    _subtree(v, marked)
                    if yaml:
                        push(v)  # for the anchors and aliases inside
                elif yaml or v.kind == OBJECT or v.kind == ARRAY:
                    push(v)
        elif kind == ARRAY:
            for item in node.value:  # type: ignore[attr-defined]
                if yaml or item.kind == OBJECT or item.kind == ARRAY:
                    push(item)
    if aliases and anchors:
        _through_aliases(text, marked, anchors, aliases)
    if not marked:
        return EMPTY
    spans = sorted({(n.start, n.end) for n in marked.values() if n.end > n.start})
    return Secrets(marked, spans, _texts(text, marked.values()))


def _alias_root(node: Node) -> bool:
    """Is this node (spanning a ``*name`` token) where an alias is used, rather than a node
    inside the copy of an anchored collection or a pair merged in by ``<<: *name`` (which
    share the alias's span)?"""
    span = (node.start, node.end)
    parent = node.parent
    if parent is not None and (parent.start, parent.end) == span:
        return False
    key = node.key_node
    return key is None or (key.start, key.end) != span


def _subtree(node: Node, marked: dict[int, Node]) -> bool:
    """Mark ``node`` and everything inside it; True when something was new."""
    new = False
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) not in marked:
            marked[id(n)] = n
            new = True
        if n.kind == OBJECT:
            stack.extend(v for _, v in n.members or ())
        elif n.kind == ARRAY:
            stack.extend(n.value)  # type: ignore[arg-type]
    return new


def _through_aliases(text: str, marked: dict[int, Node], anchors: dict[str, list[Node]], aliases: list[Node]) -> None:
    """An alias of a secret makes its anchored node a secret, and the other way round."""
    pairs: list[tuple[Node, Node]] = []
    for alias in aliases:
        name = text[alias.start + 1 : alias.end]
        # A redefined anchor name refers to its latest definition before the alias.
        target = None
        for candidate in anchors.get(name, ()):
            if candidate.start < alias.start:
                target = candidate
        if target is not None:
            pairs.append((alias, target))
    changed = True
    while changed:
        changed = False
        for alias, target in pairs:
            if id(alias) in marked and id(target) not in marked:
                changed |= _subtree(target, marked)
            elif id(target) in marked and id(alias) not in marked:
                changed |= _subtree(alias, marked)


def _texts(text: str, nodes: Iterable[Node]) -> set[str]:

    out: set[str] = set()
    for n in nodes:
        if n.kind in (OBJECT, ARRAY, BOOLEAN, NULL):
            continue
        value = str(n.value)
        source = text[n.start : n.end]
        if not source.startswith("*"):  # an alias token names the secret, it is not one
            content = source[yaml_properties_end(source) :]
            out.add(content)
            out.update(line.strip() for line in content.splitlines())
        out.add(value)
        out.add(quote(value)[1:-1])
        out.update(line.strip() for line in value.splitlines())
    return {t for t in out if len(t) >= MIN_SCRUB}


def redact(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    """``text`` (which starts at ``offset`` in the document) with ``spans`` masked by '*'
    (line breaks kept, so lines and columns stay where they were)."""
    if not spans:
        return text
    chars: list[str] | None = None
    end = offset + len(text)
    for s, e in spans:
        if e <= offset or s >= end:
            continue
        if chars is None:
            chars = list(text)
        for i in range(max(s, offset), min(e, end)):
            if chars[i - offset] not in "\r\n":
                chars[i - offset] = "*"
    return text if chars is None else "".join(chars)
