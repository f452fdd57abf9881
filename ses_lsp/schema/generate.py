r"""Generate the JSON Schemas in this package from botocore's service models.

Usage::

    python -m ses_lsp.schema.generate            # (re)write ses.json and mailmanager.json
    python -m ses_lsp.schema.generate --check    # write nothing; exit 1 if a file is stale

This is a development tool and the only module of ``ses_lsp`` that imports botocore
(a test/dev dependency pinned to :data:`PINNED_BOTOCORE`; any other version is
refused). The runtime (``ses_lsp.schema``) reads the generated JSON files only.

Output: one JSON Schema 2020-12 document per service, rendered deterministically
(sorted keys, ``indent=1``, UTF-8, trailing newline), with

* ``x-service``: service name, API version, botocore version, the Unicode version of
  the ``\P{C}`` translation;
* ``x-kinds``: document kind (``<service>:<aws-cli-command>``) -> ``{service,
  operation, direction, shape, title, description}``; one kind is the input or the
  output of one API operation; ``x-kind-order`` lists the kinds in a fixed order
  (inputs, then outputs, as in :data:`SERVICE_SPECS`), since keys are sorted;
* ``$defs``: one schema per botocore shape reachable from the kinds' root shapes
  (see :func:`shape_schema`); documentation is converted from HTML to Markdown
  (:func:`html_to_markdown`) and patterns are translated (:func:`translate_pattern`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ses_lsp.cfn.mapping import MAPPINGS
from ses_lsp.cfn.template import TEMPLATE_KIND
from ses_lsp.schema import ROUTING_TEST_KIND
from ses_lsp.semantics import routing
from ses_lsp.semantics.mail import FIELDS, SCENARIO_KIND
from ses_lsp.semantics.routing import Member

PINNED_BOTOCORE = "1.44.5"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
OUTPUT_DIR = Path(__file__).resolve().parent


# ---------------------------------------------------------------------------
# Services and document kinds
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # botocore service name == AWS CLI command group
    api_version: str
    title: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.json"


SERVICE_SPECS: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        name="ses",
        api_version="2010-12-01",
        title="Amazon SES (classic, 2010-12-01): email-receiving API documents",
        inputs=(
            "CreateReceiptRuleSet",
            "CloneReceiptRuleSet",
            "DeleteReceiptRuleSet",
            "SetActiveReceiptRuleSet",
            "CreateReceiptRule",
            "UpdateReceiptRule",
            "DeleteReceiptRule",
            "SetReceiptRulePosition",
            "ReorderReceiptRuleSet",
            "CreateReceiptFilter",
            "DeleteReceiptFilter",
            "SendBounce",
        ),
        outputs=(
            "DescribeReceiptRule",
            "DescribeReceiptRuleSet",
            "DescribeActiveReceiptRuleSet",
            "ListReceiptRuleSets",
            "ListReceiptFilters",
        ),
    ),
    ServiceSpec(
        name="mailmanager",
        api_version="2023-10-17",
        title=(
            "Amazon SES Mail Manager (2023-10-17): rule set, ingress point, traffic policy, address list, "
            "relay and archive API documents"
        ),
        inputs=(
            "CreateRuleSet",
            "UpdateRuleSet",
            "CreateIngressPoint",
            "UpdateIngressPoint",
            "CreateTrafficPolicy",
            "UpdateTrafficPolicy",
            "CreateAddressList",
            "CreateRelay",
            "UpdateRelay",
            "CreateArchive",
            "UpdateArchive",
        ),
        outputs=(
            "GetRuleSet",
            "GetIngressPoint",
            "ListIngressPoints",
            "GetTrafficPolicy",
            "GetAddressList",
            "GetRelay",
            "GetArchive",
        ),
    ),
)


def cli_command_name(operation: str) -> str:
    """``CreateReceiptRuleSet`` -> ``create-receipt-rule-set`` (the AWS CLI's rule)."""
    # Same two-step split the AWS CLI uses (awscli.utils / botocore xform_name):
    # an upper-case run followed by a capitalised word splits before the word.
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", operation)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", s)
    return s.lower()


# ---------------------------------------------------------------------------
# HTML documentation -> Markdown
# ---------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "p",
        "ul",
        "ol",
        "li",
        "note",
        "important",
        "div",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "blockquote",
    }
)
_VOID_TAGS = frozenset({"br", "img", "hr", "wbr"})
_DROPPED_TAGS = frozenset({"fullname", "script", "style"})
_BR = "\x00"  # placeholder for <br> while whitespace is collapsed


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.tag = tag
        self.attrs = attrs or {}
        self.children: list[_Node | str] = []


class _TreeBuilder(HTMLParser):
    """Builds a small, forgiving element tree (unknown end tags are ignored)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: (v or "") for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID_TAGS:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, {k: (v or "") for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _wrap_inline(inner: str, mark: str) -> str:
    """``mark`` around ``inner`` with surrounding whitespace moved outside the marks."""
    core = inner.strip()
    if not core:
        return inner
    lead = " " if inner[:1].isspace() else ""
    trail = " " if inner[-1:].isspace() else ""
    return f"{lead}{mark}{core}{mark}{trail}"


def _inline(node: _Node | str) -> str:
    if isinstance(node, str):
        return _collapse(node)
    tag = node.tag
    if tag in _DROPPED_TAGS:
        return ""
    if tag == "br":
        return _BR
    inner = "".join(_inline(c) for c in node.children)
    if tag == "code":
        core = inner.strip()
        if not core:
            return inner
        fence = "``" if "`" in core else "`"
        pad = " " if fence == "``" else ""
        lead = " " if inner[:1].isspace() else ""
        trail = " " if inner[-1:].isspace() else ""
        return f"{lead}{fence}{pad}{core}{pad}{fence}{trail}"
    if tag in ("b", "strong"):
        return _wrap_inline(inner, "**")
    if tag in ("i", "em"):
        return _wrap_inline(inner, "*")
    if tag == "a":
        href = node.attrs.get("href", "").strip()
        core = inner.strip()
        if not href:
            return inner
        if not core:
            core = href
        lead = " " if inner[:1].isspace() else ""
        trail = " " if inner[-1:].isspace() else ""
        return f"{lead}[{core}]({href}){trail}"
    return inner


def _finish_paragraph(text: str) -> str:
    text = _collapse(text)
    lines = [line.strip() for line in text.split(_BR)]
    return "\n".join(lines).strip()


def _blocks(node: _Node) -> list[str]:
    """Render the children of ``node`` as a list of Markdown blocks."""
    blocks: list[str] = []
    run: list[str] = []

    def flush() -> None:
        para = _finish_paragraph("".join(run))
        run.clear()
        if para:
            blocks.append(para)

    for child in node.children:
        if isinstance(child, str) or child.tag not in _BLOCK_TAGS:
            if not isinstance(child, str) and child.tag in _DROPPED_TAGS:
                continue
            run.append(_inline(child))
            continue
        flush()
        blocks.extend(_block(child))
    flush()
    return blocks


def _is_list(block: str) -> bool:
    return re.match(r"(?:- |[0-9]+\. )", block) is not None


def _indent(text: str, width: int) -> str:
    pad = " " * width
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def _block(node: _Node) -> list[str]:
    tag = node.tag
    if tag in ("ul", "ol"):
        items: list[str] = []
        number = 0
        for child in node.children:
            if isinstance(child, str):
                if child.strip():  # stray text inside a list: its own item
                    items.append("- " + _finish_paragraph(child))
                continue
            if child.tag != "li":
                sub = _blocks(_wrap(child))
                items.extend(sub)
                continue
            number += 1
            marker = f"{number}. " if tag == "ol" else "- "
            content = _blocks(child)
            if not content:
                continue
            body = content[0]
            for blk in content[1:]:
                # a nested list follows its text directly; paragraphs get a blank line
                body += ("\n" if _is_list(blk) else "\n\n") + blk
            first, _, rest = body.partition("\n")
            item = marker + first
            if rest:
                item += "\n" + _indent(rest, len(marker))
            items.append(item)
        return ["\n".join(items)] if items else []
    if tag in ("note", "important"):
        label = "**Note:**" if tag == "note" else "**Important:**"
        content = _blocks(node)
        if not content:
            return []
        if _is_list(content[0]):
            return [label, *content]
        return [f"{label} {content[0]}", *content[1:]]
    if tag == "li":  # a <li> outside a list
        content = _blocks(node)
        return ["- " + "\n".join(content)] if content else []
    return _blocks(node)


def _wrap(node: _Node) -> _Node:
    holder = _Node("#wrap")
    holder.children.append(node)
    return holder


def html_to_markdown(html: str | None) -> str:
    """Convert botocore's HTML documentation to Markdown (deterministic)."""
    if not html:
        return ""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return "\n\n".join(_blocks(builder.root)).strip()


# ---------------------------------------------------------------------------
# Pattern translation (Java / Smithy regex -> one anchored Python + ECMA-262 'u' regex)
# ---------------------------------------------------------------------------

# Java's `.` (no DOTALL, no UNIX_LINES) matches any code point except the Java line
# terminators \n, \r, U+0085, U+2028 and U+2029. Python's `.` only excludes \n and
# ECMA's excludes \n, \r, U+2028, U+2029 (not U+0085), so `.` is spelled out.
JAVA_DOT = r"[^\n\r\u0085\u2028\u2029]"
# Java's \w, \d, \s are ASCII-only (no UNICODE_CHARACTER_CLASS flag); Python's are not.
JAVA_WORD = "A-Za-z0-9_"  # class body for \w
JAVA_SPACE = r" \t\n\x0B\f\r"  # class body for \s

# Unicode general category C ("Other") minus Cn, i.e. Cc, Cf, Cs and Co, as code-point
# ranges. Derived from `unicodedata` (see `other_category_ranges`) and pinned here so
# that the output does not depend on the Unicode version of the Python that runs the
# generator (Cf gains members between Unicode versions). The generator re-derives the
# table and compares when the running `unicodedata` has this version.
OTHER_CATEGORY_UNICODE_VERSION = "14.0.0"
OTHER_CATEGORY_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),
    (0x007F, 0x009F),
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xD800, 0xF8FF),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
    (0xF0000, 0xFFFFD),
    (0x100000, 0x10FFFD),
)
OTHER_CATEGORIES = ("Cc", "Cf", "Cs", "Co")


def other_category_ranges() -> tuple[tuple[int, int], ...]:
    """Cc/Cf/Cs/Co code-point ranges according to the running ``unicodedata``."""
    ranges: list[list[int]] = []
    for cp in range(0x110000):
        if unicodedata.category(chr(cp)) in OTHER_CATEGORIES:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return tuple((a, b) for a, b in ranges)


def _subtract(ranges: Iterable[tuple[int, int]], points: Iterable[int]) -> list[tuple[int, int]]:
    out = [list(r) for r in ranges]
    for p in sorted(points):
        nxt: list[list[int]] = []
        for a, b in out:
            if a <= p <= b:
                if a <= p - 1:
                    nxt.append([a, p - 1])
                if p + 1 <= b:
                    nxt.append([p + 1, b])
            else:
                nxt.append([a, b])
        out = nxt
    return [(a, b) for a, b in out]


def class_char(cp: int) -> str:
    """One code point inside a character class, in a form Python `re` and ECMA `u` share.

    BMP code points are written ``\\uXXXX`` (both engines accept it). Python has no
    ``\\u{...}`` and ECMA has no ``\\U........``, so supplementary code points are
    written as the literal character, which both read as one code point (ECMA only
    with the ``u`` flag). None of them is a regex metacharacter.
    """
    if cp <= 0xFFFF:
        return f"\\u{cp:04X}"
    return chr(cp)


def _class_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    parts = []
    for a, b in ranges:
        parts.append(class_char(a) if a == b else f"{class_char(a)}-{class_char(b)}")
    return "".join(parts)


def not_other_or_java_space_class() -> str:
    """Character class for Java's ``[\\P{C}\\s]``: anything but Cc/Cf/Co, except the six
    Java ``\\s`` characters (tab, LF, VT, FF, CR are Cc; space is not C at all).

    Unassigned code points (Cn, part of Java's ``\\p{C}``) are *accepted*: which code
    points are unassigned depends on each engine's Unicode version, so no engine-neutral
    class can express them. Surrogate code points (Cs) are accepted too: a well-formed
    string cannot hold one (only a JSON ``\\uD800`` escape without its pair makes one),
    and regex engines over well-formed strings (jsonschema-rs, Rust's ``regex``) refuse
    a class that names them, and with it the whole schema. Written as a
    negated class over the (small) excluded set.
    """
    excluded = _subtract(OTHER_CATEGORY_RANGES, [0x09, 0x0A, 0x0B, 0x0C, 0x0D, *range(0xD800, 0xE000)])
    return "[^" + _class_ranges(excluded) + "]"


@dataclass(frozen=True)
class PatternRule:
    source: str  # botocore's text (Java/Smithy regex, implicitly full-match)
    body: str  # translated body, without the ^(?: )$ anchors
    note: str  # why the translation differs, or "as is"


def _rules() -> tuple[PatternRule, ...]:
    W, DOT, S = JAVA_WORD, JAVA_DOT, JAVA_SPACE
    r = PatternRule
    return (
        # ---------------- ses 2010-12-01 ----------------
        r(
            r"arn:(aws|aws-us-gov):connect:[a-z]{2}-[a-z]+-[0-9-]{1}:[0-9]{1,20}:instance/"
            r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}",
            r"arn:(aws|aws-us-gov):connect:[a-z]{2}-[a-z]+-[0-9-]{1}:[0-9]{1,20}:instance/"
            r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}",
            "as is (a trailing '-' in a class is literal in all three engines)",
        ),
        r(
            r"arn:[\w-]+:iam::[0-9]+:role(\u002F)([\u0021-\u007E]+\u002F)?([\w+=,.@-]+)",
            rf"arn:[{W}-]+:iam::[0-9]+:role(\u002F)([\u0021-\u007E]+\u002F)?([{W}+=,.@-]+)",
            r"\w -> ASCII class; \u002F ('/') and \u0021-\u007E kept: \uXXXX means the same "
            r"in Java, Python and ECMA",
        ),
        # ---------------- mailmanager 2023-10-17 ----------------
        r("ai-[a-zA-Z0-9]{1,64}", "ai-[a-zA-Z0-9]{1,64}", "as is"),
        r("as-[a-zA-Z0-9]{1,64}", "as-[a-zA-Z0-9]{1,64}", "as is"),
        r("[a-zA-Z0-9-]+", "[a-zA-Z0-9-]+", "as is"),
        r("[a-zA-Z0-9_.-]+", "[a-zA-Z0-9_.-]+", "as is"),
        r("[a-zA-Z0-9:_/+=,@.#-]+", "[a-zA-Z0-9:_/+=,@.#-]+", "as is"),
        r(r"a-[\w]{1,64}", rf"a-[{W}]{{1,64}}", r"\w -> ASCII class"),
        r("[a-zA-Z0-9][a-zA-Z0-9_-]*[a-zA-Z0-9]", "[a-zA-Z0-9][a-zA-Z0-9_-]*[a-zA-Z0-9]", "as is"),
        r(r"[\r\n\x20-\x7e]+", r"[\r\n\x20-\x7e]+", r"as is (\r \n \xhh mean the same in all three)"),
        r(
            r"[\P{C}\s]*",
            not_other_or_java_space_class() + "*",
            r"\P{C} has no Python equivalent: explicit negated class of Cc/Cf/Co from "
            r"unicodedata (minus the Java \s characters); unassigned (Cn) and surrogate (Cs) "
            r"code points are accepted, unlike Java",
        ),
        r(r"[\x20-\x7e]+", r"[\x20-\x7e]+", "as is"),
        r("[a-zA-Z0-9._+-]+@[a-zA-Z0-9.-]+", "[a-zA-Z0-9._+-]+@[a-zA-Z0-9.-]+", "as is"),
        r(
            r"[xX]\-[a-zA-Z0-9\-]+",
            "[xX]-[a-zA-Z0-9-]+",
            r"'\-' outside a class is a SyntaxError in ECMA with 'u': written '-'",
        ),
        r(r"[A-Za-z0-9_\-]+", "[A-Za-z0-9_-]+", r"'\-' in a class written as a final '-'"),
        r(
            r"((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)"
            r"/([0-9]|[12][0-9]|3[0-2])",
            r"((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)"
            r"/([0-9]|[12][0-9]|3[0-2])",
            "as is",
        ),
        r(
            r"(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|"
            r"([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|"
            r"([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|"
            r"([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|"
            r":((:[0-9a-fA-F]{1,4}){1,7}|:))\/(12[0-8]|1[0-1][0-9]|[1-9][0-9]|[0-9])",
            r"(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|"
            r"([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|"
            r"([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|"
            r"([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|"
            r":((:[0-9a-fA-F]{1,4}){1,7}|:))/(12[0-8]|1[0-1][0-9]|[1-9][0-9]|[0-9])",
            r"'\/' written '/' (legal in all three, but needless); note the model's form "
            r"does not accept embedded IPv4 (::ffff:1.2.3.4/128)",
        ),
        r(
            r"arn:aws(|-cn|-us-gov|-eusc):kms:[a-z0-9-]{1,20}:[0-9]{12}:(key|alias)/.+",
            rf"arn:aws(|-cn|-us-gov|-eusc):kms:[a-z0-9-]{{1,20}}:[0-9]{{12}}:(key|alias)/{DOT}+",
            "Java '.' -> explicit class of non line terminators",
        ),
        r(
            "[a-zA-Z0-9-:/]+",
            r"[a-zA-Z0-9:/-]+",
            "the '-' after the range 0-9 is a literal in Java (checked), Python and ECMA, "
            "not a range '-'..':' (so '.' is NOT admitted); moved to the end for clarity",
        ),
        r("X-[a-zA-Z0-9-]{1,256}", "X-[a-zA-Z0-9-]{1,256}", "as is"),
        r("[a-z0-9-]+", "[a-z0-9-]+", "as is"),
        r(
            "[a-zA-Z0-9-_]+",
            "[a-zA-Z0-9_-]+",
            "'-' after a range is literal in all three engines; moved to the end for clarity",
        ),
        r(r"[a-zA-Z0-9-\.]+", "[a-zA-Z0-9.-]+", r"literal '-' after a range, and '\.' in a class: rewritten as '.-'"),
        r(
            r"(addon\.)?[\sa-zA-Z0-9_]+",
            rf"(addon\.)?[{S}a-zA-Z0-9_]+",
            r"\s -> Java's ASCII whitespace (space, \t, \n, \x0B, \f, \r)",
        ),
        r(
            "(([0-9]|.|:|/)*)",
            f"({DOT}*)",
            "'.' (Java) already covers [0-9], ':' and '/', so the alternation equals '.'; "
            "the original's overlapping alternatives under '*' backtrack exponentially in "
            "Python and ECMA on a rejected string (e.g. digits then a newline), hence the "
            "simplification; same language",
        ),
        r("[a-zA-Z0-9.-]+", "[a-zA-Z0-9.-]+", "as is"),
        r(
            "s3://[a-zA-Z0-9.-]{3,63}(/[a-zA-Z0-9!_.*'()/-]*)*",
            "s3://[a-zA-Z0-9.-]{3,63}(/[a-zA-Z0-9!_.*'()/-]*)?",
            "'(/[...]*)*' where the class contains '/' equals '(/[...]*)?' (any later '/' is "
            "matched by the class); the original backtracks exponentially on a rejected "
            "string with many '/'; same language",
        ),
        r("[a-zA-Z0-9!_.*'()/-]+", "[a-zA-Z0-9!_.*'()/-]+", "as is"),
        r(
            r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):secretsmanager:[a-z0-9-]+:\d{12}:secret:"
            r"[a-zA-Z0-9/_+=,.@-]+",
            r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:"
            r"[a-zA-Z0-9/_+=,.@-]+",
            r"\d -> [0-9]",
        ),
        r(
            r"[A-Za-z0-9!@#$%^&*()_+\-=\[\]{}|.,?]+",
            r"[A-Za-z0-9!@#$%^&*()_+=\[\]{}|.,?-]+",
            r"'\-' in the class moved to the end as '-'; '\[' '\]' kept (needed: Python warns "
            r"on an unescaped '[' in a class, ECMA 'u' allows these escapes); no '&&' (Java "
            r"intersection) or '||' '--' '~~' (Python set-operation warnings) occur",
        ),
        r("[45][0-9][0-9]", "[45][0-9][0-9]", "as is"),
        r(
            r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):sns:[a-z0-9-]+:\d{12}:[\w\-]{1,256}",
            rf"arn:(aws|aws-cn|aws-us-gov|aws-eusc):sns:[a-z0-9-]+:[0-9]{{12}}:[{W}-]{{1,256}}",
            r"\d -> [0-9]; [\w\-] -> ASCII class with a final '-'",
        ),
        r(r"[45]\.[0-9]{1,3}\.[0-9]{1,3}", r"[45]\.[0-9]{1,3}\.[0-9]{1,3}", "as is"),
        r(
            r"[a-zA-Z0-9/_\+=\.:@\-]+",
            "[a-zA-Z0-9/_+=.:@-]+",
            r"needless escapes '\+' '\.' '\-' in the class dropped ('-' moved to the end)",
        ),
        r(
            r"[a-zA-Z0-9/_\+=\.:@\-]*",
            "[a-zA-Z0-9/_+=.:@-]*",
            r"needless escapes '\+' '\.' '\-' in the class dropped ('-' moved to the end)",
        ),
        r(
            r"arn:aws(|-cn|-us-gov|-eusc):ses:[a-z0-9-]{1,20}:[0-9]{12}:(mailmanager-|addon-).+",
            rf"arn:aws(|-cn|-us-gov|-eusc):ses:[a-z0-9-]{{1,20}}:[0-9]{{12}}:(mailmanager-|addon-){DOT}+",
            "Java '.' -> explicit class of non line terminators",
        ),
        r("vpce-[a-zA-Z0-9]{17}", "vpce-[a-zA-Z0-9]{17}", "as is"),
        # ---------------- CloudFormation resource schemas (cfn-lint's bundled copies) ----------------
        # Their patterns are ECMA-262 and anchored (^...$); the anchors are stripped before the
        # lookup, so a pattern the API model shares is translated once, above.
        r("[0-9A-Za-z@+.-]+", "[0-9A-Za-z@+.-]+", "as is"),
        r(
            r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):kms:[a-z0-9-]+:\d{12}:(key|alias)/[a-zA-Z0-9/_-]+",
            r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[a-zA-Z0-9/_-]+",
            r"\d -> [0-9]",
        ),
        r(
            r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):sns:[a-z]{2}-([a-z]+-)+\d{1}:\d{12}:[\w\-]{1,256}",
            rf"arn:(aws|aws-cn|aws-us-gov|aws-eusc):sns:[a-z]{{2}}-([a-z]+-)+[0-9]{{1}}:[0-9]{{12}}:[{W}-]{{1,256}}",
            r"\d -> [0-9]; [\w\-] -> ASCII class with a final '-'; '([a-z]+-)+' cannot backtrack "
            r"exponentially (each repetition ends at its own '-', which the class excludes)",
        ),
    )


PATTERN_RULES: dict[str, PatternRule] = {rule.source: rule for rule in _rules()}


class UnknownPatternError(ValueError):
    pass


def translate_pattern(source: str) -> str:
    """Anchored pattern equivalent to botocore's (full-match) ``source``.

    Only reviewed patterns are translated: a pattern that is not in
    :data:`PATTERN_RULES` (e.g. after a botocore upgrade) is an error, so that a human
    checks it for Java-only constructs before it is emitted.
    """
    rule = PATTERN_RULES.get(source)
    if rule is None:
        raise UnknownPatternError(
            f"botocore pattern {source!r} is not in PATTERN_RULES; review it (\\w, \\d, \\s, "
            "'.', needless escapes, \\p{..}, nested quantifiers) and add a translation"
        )
    return f"^(?:{rule.body})$"


# Timestamps: what the AWS CLI reads (botocore's parse_timestamp: float(), else dateutil),
# restricted to unambiguous forms. This pattern is the one definition: the generated
# schemas carry it, and the lint engine checks timestamp strings against the schema's
# pattern (ses_lsp.lint.validator), so both agree with any JSON Schema tool.
#
# * epoch seconds: optional sign, ASCII digits, optional fraction ('5', '-1', '1.5',
#   '.5', '5.'; the CLI's float() also takes '1e9', '1_000' and non-ASCII digits: not
#   accepted here);
# * ISO 8601 dates that exist (month lengths and leap years, year 0001 to 9999; the CLI
#   rejects '2024-02-30' and year 0), extended ('2024-05-01', '2024-05-01T10:00',
#   seconds, a '.'/',' fraction, 'T', 't' or ' ' before the time) or basic with a time
#   ('20240501T1000Z'; a bare '20240501' is the epoch form above, as for the CLI), hours
#   00-23, minutes and seconds 00-59 (the CLI rejects a leap second ':60'), and an
#   optional zone 'Z' or +/-HH[[:]MM] up to 23:59;
# * surrounding JSON white space (space, tab, LF, CR), which the CLI ignores.
#
# No look-around, \d or \s: the same text means the same in Python `re`, ECMA-262 and
# RE2 (Go) validators. Anchored like every generated pattern.
_TS_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_TS_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"  # 0001-9999


def _ts_date(sep: str) -> str:
    month_day = (
        f"(?:(?:0[1-9]|1[0-2]){sep}(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2]){sep}(?:29|30)|(?:0[13578]|1[02]){sep}31)"
    )
    return f"(?:{_TS_YEAR}{sep}{month_day}|{_TS_LEAP_YEAR}{sep}02{sep}29)"


def _ts_time(sep: str) -> str:
    return f"(?:[01][0-9]|2[0-3]){sep}[0-5][0-9](?:{sep}[0-5][0-9](?:[.,][0-9]+)?)?"


_TS_ZONE = "(?:[Zz]|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)"
_TS_EPOCH = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_TS_EXTENDED = f"{_ts_date('-')}(?:[Tt ]{_ts_time(':')}{_TS_ZONE}?)?"
_TS_BASIC = f"{_ts_date('')}[Tt]{_ts_time('')}{_TS_ZONE}?"
_TS_SPACE = r"[ \t\n\r]*"
TIMESTAMP_PATTERN = f"^(?:{_TS_SPACE}(?:{_TS_EPOCH}|{_TS_EXTENDED}|{_TS_BASIC}){_TS_SPACE})$"


# ---------------------------------------------------------------------------
# botocore model -> JSON Schema
# ---------------------------------------------------------------------------


class GeneratorError(RuntimeError):
    pass


def _botocore():
    try:
        import botocore  # noqa: PLC0415  (dev-only dependency)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise GeneratorError(
            f"botocore=={PINNED_BOTOCORE} is required to generate the schemas "
            f"(pip install 'botocore=={PINNED_BOTOCORE}')"
        ) from exc
    if botocore.__version__ != PINNED_BOTOCORE:
        raise GeneratorError(
            f"installed botocore is {botocore.__version__}, but the schemas are generated "
            f"from the pinned botocore=={PINNED_BOTOCORE}; install that version "
            f"(pip install 'botocore=={PINNED_BOTOCORE}'), or bump PINNED_BOTOCORE in "
            "ses_lsp/schema/generate.py and pyproject.toml together and review the diff"
        )
    return botocore


def load_model(service: str, api_version: str) -> dict[str, Any]:
    """The ``service-2`` model shipped inside the installed botocore package.

    Read straight from the package data (not through ``botocore.loaders.Loader``,
    whose search path includes ``~/.aws/models`` and could pick up a local override).
    """
    botocore = _botocore()
    base = Path(botocore.__file__).resolve().parent / "data" / service / api_version
    plain = base / "service-2.json"
    packed = base / "service-2.json.gz"
    if plain.is_file():
        raw = plain.read_bytes()
    elif packed.is_file():
        raw = gzip.decompress(packed.read_bytes())
    else:
        raise GeneratorError(f"botocore has no model for {service} {api_version} under {base}")
    model = json.loads(raw.decode("utf-8"))
    if model.get("metadata", {}).get("apiVersion") != api_version:
        raise GeneratorError(f"{plain}: unexpected apiVersion {model.get('metadata')}")
    return model


def _doc(obj: dict[str, Any]) -> str:
    return html_to_markdown(obj.get("documentation"))


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def shape_schema(name: str, shape: dict[str, Any]) -> dict[str, Any]:
    """JSON Schema for one botocore shape (members point at other shapes via ``$ref``).

    Every schema carries ``x-shape`` (its botocore name, kept after ``$ref`` merging)
    and ``description`` (Markdown) when the shape is documented.

    * structure: ``object`` with ``properties`` (each ``{"$ref", "description",
      "deprecated"?, "x-idempotency-token"?}``), ``required`` and ``x-member-order`` in
      model order, ``additionalProperties: false``; a union adds ``x-union`` and
      ``minProperties``/``maxProperties`` 1;
    * string: ``minLength``/``maxLength``, ``enum``, ``pattern`` (anchored translation)
      plus ``x-pattern-source`` (botocore's text);
    * integer/long -> ``integer``, double/float -> ``number``, with ``minimum``/``maximum``;
    * timestamp: ``["string", "number"]`` + ``x-timestamp`` + :data:`TIMESTAMP_PATTERN`;
    * list: ``array`` + ``items``/``minItems``/``maxItems``; map: ``object`` +
      ``propertyNames``/``additionalProperties``/``minProperties``/``maxProperties``;
    * blob: base64 ``string``; ``x-sensitive`` / ``deprecated`` from the shape's traits.
    """
    stype = shape["type"]
    out: dict[str, Any] = {"x-shape": name}
    if stype == "structure":
        members = shape.get("members", {})
        props: dict[str, Any] = {}
        for mname, member in members.items():
            prop: dict[str, Any] = _ref(member["shape"])
            mdoc = _doc(member)
            if mdoc:
                prop["description"] = mdoc
            if member.get("deprecated"):
                prop["deprecated"] = True
                if member.get("deprecatedMessage"):
                    prop["x-deprecated-message"] = member["deprecatedMessage"]
            if member.get("idempotencyToken"):
                prop["x-idempotency-token"] = True
            props[mname] = prop
        out.update(
            {
                "type": "object",
                "properties": props,
                "x-member-order": list(members),
                "additionalProperties": False,
            }
        )
        if shape.get("required"):
            out["required"] = list(shape["required"])
        if shape.get("union"):
            out.update({"x-union": True, "minProperties": 1, "maxProperties": 1})
    elif stype == "string":
        out["type"] = "string"
        if "min" in shape:
            out["minLength"] = shape["min"]
        if "max" in shape:
            out["maxLength"] = shape["max"]
        if "enum" in shape:
            out["enum"] = list(shape["enum"])
        if "pattern" in shape:
            out["pattern"] = translate_pattern(shape["pattern"])
            out["x-pattern-source"] = shape["pattern"]
    elif stype in ("integer", "long"):
        out["type"] = "integer"
        if "min" in shape:
            out["minimum"] = shape["min"]
        if "max" in shape:
            out["maximum"] = shape["max"]
    elif stype in ("double", "float"):
        out["type"] = "number"
        if "min" in shape:
            out["minimum"] = shape["min"]
        if "max" in shape:
            out["maximum"] = shape["max"]
    elif stype == "boolean":
        out["type"] = "boolean"
    elif stype == "timestamp":
        out.update({"type": ["string", "number"], "x-timestamp": True, "pattern": TIMESTAMP_PATTERN})
        if "timestampFormat" in shape:
            out["x-timestamp-format"] = shape["timestampFormat"]
    elif stype == "list":
        out.update({"type": "array", "items": _ref(shape["member"]["shape"])})
        if "min" in shape:
            out["minItems"] = shape["min"]
        if "max" in shape:
            out["maxItems"] = shape["max"]
    elif stype == "map":
        out.update(
            {
                "type": "object",
                "propertyNames": _ref(shape["key"]["shape"]),
                "additionalProperties": _ref(shape["value"]["shape"]),
            }
        )
        if "min" in shape:
            out["minProperties"] = shape["min"]
        if "max" in shape:
            out["maxProperties"] = shape["max"]
    elif stype == "blob":
        out.update({"type": "string", "contentEncoding": "base64"})
    else:
        raise GeneratorError(f"shape {name}: unsupported botocore type {stype!r}")
    if shape.get("sensitive"):
        out["x-sensitive"] = True
    if shape.get("deprecated"):
        out["deprecated"] = True
    doc = _doc(shape)
    if doc:
        out["description"] = doc
    return out


def _reachable(shapes: dict[str, Any], roots: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in shapes:
            raise GeneratorError(f"shape {name!r} is referenced but not defined")
        seen.add(name)
        shape = shapes[name]
        for key in ("member", "key", "value"):
            if key in shape:
                stack.append(shape[key]["shape"])
        stack.extend(m["shape"] for m in shape.get("members", {}).values())
    return sorted(seen)


def _kind_title(spec: ServiceSpec, operation: str, direction: str) -> str:
    cmd = f"aws {spec.name} {cli_command_name(operation)}"
    if direction == "input":
        return f"{operation} request ({cmd} --cli-input-json/--cli-input-yaml)"
    return f"{operation} response (output of {cmd})"


def build_service_schema(spec: ServiceSpec, botocore_version: str | None = None) -> dict[str, Any]:
    model = load_model(spec.name, spec.api_version)
    if botocore_version is None:
        botocore_version = _botocore().__version__
    operations = model["operations"]
    shapes = model["shapes"]
    kinds: dict[str, Any] = {}
    roots: list[str] = []
    for direction, ops in (("input", spec.inputs), ("output", spec.outputs)):
        for op in ops:
            if op not in operations:
                raise GeneratorError(f"{spec.name}: operation {op} not in the model")
            ref = operations[op].get(direction)
            if not ref:
                raise GeneratorError(f"{spec.name}: operation {op} has no {direction} shape")
            root = ref["shape"]
            roots.append(root)
            kinds[f"{spec.name}:{cli_command_name(op)}"] = {
                "service": spec.name,
                "operation": op,
                "direction": direction,
                "shape": root,
                "title": _kind_title(spec, op, direction),
                "description": _doc(operations[op]),
            }
    defs = {name: shape_schema(name, shapes[name]) for name in _reachable(shapes, roots)}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": spec.title,
        "description": (
            f"Generated by ses_lsp.schema.generate from botocore {botocore_version} "
            f"({spec.name} {spec.api_version}); do not edit. Each x-kinds entry is one "
            "API operation's input or output document; its root schema is "
            "#/$defs/<shape>."
        ),
        "x-service": {
            "name": spec.name,
            "apiVersion": spec.api_version,
            "botocore": botocore_version,
            "serviceFullName": model.get("metadata", {}).get("serviceFullName", ""),
            "unicodeVersion": OTHER_CATEGORY_UNICODE_VERSION,
        },
        "x-kind-order": list(kinds),
        "x-kinds": kinds,
        "$defs": defs,
    }


# ---------------------------------------------------------------------------
# CloudFormation resource schemas -> JSON Schema (the SES resources of templates)
# ---------------------------------------------------------------------------

#: The CloudFormation resource schemas come from the copies cfn-lint bundles (the registry's
#: provider schemas, as CloudFormation publishes them per Region), pinned like botocore: a
#: development dependency only, never imported at run time.
PINNED_CFN_LINT = "1.58.0"
#: The Region whose provider schema list is read (every SES resource type exists there).
CFN_SCHEMA_REGION = "us-east-1"
#: The resource types a template is checked for, and the name of each one's root schema in
#: ``cloudformation.json`` (its definitions are ``<root>.<Definition>``): the mapping table's.
#: Other resource types are cfn-lint's business.
CFN_RESOURCE_TYPES: tuple[tuple[str, str], ...] = tuple((m.type, m.shape) for m in MAPPINGS)
TEMPLATE_SHAPE = "Template"
# Keywords of the resource schemas that say nothing a deployed stack's API call would check
# (cfn-lint's own ``format`` names, list-order hints, defaults, titles): dropped.
_CFN_DROPPED = frozenset({"format", "insertionOrder", "uniqueItems", "default", "title", "examples"})
_CFN_KEPT = frozenset({"type", "enum", "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"})


def _cfn_lint_data() -> tuple[Path, str]:
    """(cfn-lint's ``data/schemas`` directory, its version), without importing cfn-lint."""
    import importlib.metadata
    import importlib.util

    try:
        version = importlib.metadata.version("cfn-lint")
        spec = importlib.util.find_spec("cfnlint")
    except (importlib.metadata.PackageNotFoundError, ModuleNotFoundError):
        spec = None
    if spec is None or spec.origin is None:
        raise GeneratorError(
            f"cfn-lint=={PINNED_CFN_LINT} is required to generate cloudformation.json "
            f"(pip install 'cfn-lint=={PINNED_CFN_LINT}')"
        )
    if version != PINNED_CFN_LINT:
        raise GeneratorError(
            f"installed cfn-lint is {version}, but cloudformation.json is generated from the pinned "
            f"cfn-lint=={PINNED_CFN_LINT}; install that version, or bump PINNED_CFN_LINT in "
            "ses_lsp/schema/generate.py and pyproject.toml together and review the diff"
        )
    return Path(spec.origin).resolve().parent / "data" / "schemas", version


def load_cfn_resource_schemas() -> tuple[dict[str, dict[str, Any]], str]:
    """``({resource type: its CloudFormation resource schema}, schema date)`` from cfn-lint's data."""
    base, _version = _cfn_lint_data()
    providers = json.loads((base / "providers" / f"{CFN_SCHEMA_REGION}.json").read_text(encoding="utf-8"))
    out: dict[str, dict[str, Any]] = {}
    for type_name, _root in CFN_RESOURCE_TYPES:
        digest = providers.get(type_name)
        if not isinstance(digest, str):
            raise GeneratorError(f"cfn-lint has no {CFN_SCHEMA_REGION} schema for {type_name}")
        raw = json.loads((base / "resources" / f"{digest}.json").read_text(encoding="utf-8"))
        if raw.get("typeName") != type_name:
            raise GeneratorError(f"{digest}.json: expected {type_name}, found {raw.get('typeName')!r}")
        out[type_name] = raw
    date = json.loads((base / "version.json").read_text(encoding="utf-8")).get("schema_date", "")
    return out, str(date)


def _cfn_pattern(pattern: str) -> tuple[str, str]:
    """(anchored translation, the pattern's source without its anchors) of a resource schema pattern."""
    core = pattern[1:-1] if pattern.startswith("^") and pattern.endswith("$") else pattern
    return translate_pattern(core), core


class _CfnConverter:
    """One resource schema's properties and definitions in the dialect of the API schemas."""

    def __init__(self, root: str, raw: dict[str, Any]) -> None:
        self.root = root
        self.raw = raw

    def ref(self, target: str) -> str:
        prefix = "#/definitions/"
        if not target.startswith(prefix):
            raise GeneratorError(f"{self.root}: unsupported $ref {target!r}")
        return f"#/$defs/{self.root}.{target[len(prefix) :]}"

    def convert(self, schema: dict[str, Any], where: str) -> dict[str, Any]:
        schema = dict(schema)
        all_of = schema.pop("allOf", None)
        if all_of is not None:
            # `allOf: [{$ref}, {default: ...}]` (a default on a referenced enum): the reference.
            refs = [s for s in all_of if "$ref" in s]
            if len(refs) != 1 or any(set(s) - {"$ref"} - _CFN_DROPPED for s in all_of):
                raise GeneratorError(f"{self.root}{where}: unsupported allOf {all_of!r}")
            schema.update(refs[0])
        out: dict[str, Any] = {}
        description = schema.pop("description", None)
        if "$ref" in schema:
            out["$ref"] = self.ref(schema.pop("$ref"))
        one_of = schema.pop("oneOf", None)
        if one_of is not None:
            out.update(self.union(one_of, where))
        properties = schema.pop("properties", None)
        if properties is not None:
            out["properties"] = {n: self.convert(s, f"{where}/{n}") for n, s in properties.items()}
            out["x-member-order"] = list(properties)
        items = schema.pop("items", None)
        if items is not None:
            out["items"] = self.convert(items, f"{where}/items")
        additional = schema.pop("additionalProperties", None)
        if additional is not None:
            out["additionalProperties"] = (
                additional if isinstance(additional, bool) else self.convert(additional, f"{where}/*")
            )
        pattern = schema.pop("pattern", None)
        if pattern is not None:
            out["pattern"], out["x-pattern-source"] = _cfn_pattern(pattern)
        required = schema.pop("required", None)
        if required:
            out["required"] = list(required)
        for key in list(schema):
            if key in _CFN_KEPT:
                out[key] = schema.pop(key)
            elif key in _CFN_DROPPED:
                schema.pop(key)
        if schema:
            raise GeneratorError(f"{self.root}{where}: unsupported keywords {sorted(schema)}")
        if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out:
            # CloudFormation refuses properties its schema does not declare.
            out["additionalProperties"] = False
        if description:
            out["description"] = description
        return out

    def union(self, alternatives: list[dict[str, Any]], where: str) -> dict[str, Any]:
        """``oneOf`` of one-member objects (CloudFormation's spelling of an API union)."""
        members: dict[str, Any] = {}
        for alt in alternatives:
            props = alt.get("properties") or {}
            if (
                alt.get("type") != "object"
                or alt.get("additionalProperties") is not False
                or len(props) != 1
                or alt.get("required") != list(props)
                or set(alt) - {"type", "additionalProperties", "properties", "required", "title", "description"}
            ):
                raise GeneratorError(f"{self.root}{where}: oneOf alternative is not a one-member object: {alt!r}")
            ((name, sub),) = props.items()
            members[name] = self.convert(sub, f"{where}/{name}")
        return {
            "type": "object",
            "properties": members,
            "x-member-order": list(members),
            "additionalProperties": False,
            "x-union": True,
            "minProperties": 1,
            "maxProperties": 1,
        }

    def definitions(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for name, schema in (self.raw.get("definitions") or {}).items():
            full = f"{self.root}.{name}"
            out[full] = {"x-shape": full, **self.convert(schema, f"/definitions/{name}")}
        read_only = {p.rsplit("/", 1)[-1] for p in self.raw.get("readOnlyProperties", ()) if p.count("/") == 2}
        props = {n: s for n, s in (self.raw.get("properties") or {}).items() if n not in read_only}
        root = self.convert(
            {
                "type": "object",
                "properties": props,
                "required": [r for r in self.raw.get("required", ()) if r not in read_only],
                "additionalProperties": False,
                "description": self.raw.get("description", ""),
            },
            "",
        )
        out[self.root] = {
            "x-shape": self.root,
            "x-resource-type": self.raw["typeName"],
            "x-read-only-properties": sorted(read_only),
            **root,
        }
        return out


def build_cloudformation_schema(cfn_lint_version: str | None = None) -> dict[str, Any]:
    """``cloudformation.json``: the template kind and the schemas of the SES resources' Properties."""
    raws, schema_date = load_cfn_resource_schemas()
    if cfn_lint_version is None:
        cfn_lint_version = _cfn_lint_data()[1]
    defs: dict[str, Any] = {
        TEMPLATE_SHAPE: {
            "x-shape": TEMPLATE_SHAPE,
            "type": "object",
            "description": (
                "An AWS CloudFormation or AWS SAM template (JSON or YAML, `cdk synth` output included). "
                "ses-lsp checks the Properties of its SES receiving resources against the resource "
                "schemas in `x-resource-types`, and leaves every other resource to cfn-lint."
            ),
        }
    }
    resource_types: dict[str, Any] = {}
    for type_name, root in CFN_RESOURCE_TYPES:
        raw = raws[type_name]
        defs.update(_CfnConverter(root, raw).definitions())
        resource_types[type_name] = {"shape": root, "description": raw.get("description", "")}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "AWS CloudFormation templates: the SES receiving resources",
        "description": (
            f"Generated by ses_lsp.schema.generate from the CloudFormation resource schemas bundled with "
            f"cfn-lint {cfn_lint_version} (schema date {schema_date}, Region {CFN_SCHEMA_REGION}); do not edit. "
            "x-resource-types maps each resource type to the root schema of its Properties."
        ),
        "x-service": {
            "name": "cloudformation",
            "cfn-lint": cfn_lint_version,
            "schemaDate": schema_date,
            "region": CFN_SCHEMA_REGION,
            "unicodeVersion": OTHER_CATEGORY_UNICODE_VERSION,
        },
        "x-kind-order": [TEMPLATE_KIND],
        "x-kinds": {
            TEMPLATE_KIND: {
                "service": "cloudformation",
                "operation": TEMPLATE_SHAPE,
                "direction": "input",
                "shape": TEMPLATE_SHAPE,
                "title": "CloudFormation or SAM template (aws cloudformation deploy --template-file)",
                "description": (
                    "A template whose `Resources` define SES receiving resources (receipt rule sets, rules "
                    "and filters; Mail Manager rule sets, traffic policies, ingress points, address lists, "
                    "relays and archives)."
                ),
            }
        },
        "x-resource-types": resource_types,
        "$defs": defs,
    }


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def _check_unicode_table() -> None:
    if unicodedata.unidata_version == OTHER_CATEGORY_UNICODE_VERSION:
        derived = other_category_ranges()
        if derived != OTHER_CATEGORY_RANGES:
            raise GeneratorError(
                f"OTHER_CATEGORY_RANGES does not match unicodedata {unicodedata.unidata_version}: {derived!r}"
            )


# ---------------------------------------------------------------------------
# ses-lsp's own documents (not AWS API documents): the simulation scenario
# ---------------------------------------------------------------------------

OWN_SERVICE = "ses-lsp"
SCENARIO_SHAPE = "Scenario"


def build_scenario_schema() -> dict[str, Any]:
    """The schema of ``ses-lsp:scenario`` documents, from :data:`ses_lsp.semantics.mail.FIELDS`
    (the one definition of the format): each member's schema, with its text and default as the
    description.  Nested object and array schemas become ``$defs`` entries (the validator
    compiles the sub-schemas of named definitions)."""
    defs: dict[str, Any] = {}

    def named(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        """``schema`` with its nested object/array schemas moved to ``$defs``."""
        out = dict(schema)
        if isinstance(out.get("items"), dict):
            out["items"] = hoisted(name + "Item", out["items"])
        if isinstance(out.get("additionalProperties"), dict):
            out["additionalProperties"] = hoisted(name + "Value", out["additionalProperties"])
        if isinstance(out.get("properties"), dict):
            out["properties"] = {k: hoisted(name + k, v) for k, v in out["properties"].items()}
            out["x-member-order"] = list(out["properties"])
        return out

    def hoisted(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        if not any(k in schema for k in ("items", "additionalProperties", "properties")):
            return dict(schema)
        defs[name] = {**named(name, schema), "x-shape": name}
        return {"$ref": f"#/$defs/{name}"}

    props: dict[str, Any] = {}
    for f in FIELDS:
        name = SCENARIO_SHAPE + f.member
        doc = f"{f.doc}\n\nDefault: {f.default}." + (f"\n\nFrom a message file: {f.eml}." if f.eml else "")
        ref = hoisted(name, f.schema)
        if "$ref" in ref:
            props[f.member] = {"$ref": ref["$ref"], "description": doc}
        else:
            props[f.member] = {**ref, "description": doc}
    defs[SCENARIO_SHAPE] = {
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "x-member-order": [f.member for f in FIELDS],
        "x-shape": SCENARIO_SHAPE,
        "description": "A mail for `ses-lsp simulate --mail`: what a message file cannot carry.",
    }
    _routing_test_defs(defs, hoisted)
    kind = {
        "service": OWN_SERVICE,
        "operation": "Scenario",
        "direction": "input",
        "shape": SCENARIO_SHAPE,
        "title": "A mail to simulate (ses-lsp simulate RULES --mail FILE)",
        "description": (
            "The envelope, connection, verdicts and outside answers (Lambda dispositions, address lists, "
            "add-ons) of one mail, optionally with a message file for its headers. See docs/evaluation.md."
        ),
    }
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "ses-lsp's own documents: simulation scenarios and routing tests",
        "description": (
            "Generated by ses_lsp.schema.generate from ses_lsp.semantics.mail.FIELDS and the member tables "
            "of ses_lsp.semantics.routing; do not edit. "
            "Each x-kinds entry is one document kind; its root schema is #/$defs/<shape>."
        ),
        "x-service": {"name": OWN_SERVICE},
        "x-kind-order": [SCENARIO_KIND, ROUTING_TEST_KIND],
        "x-kinds": {SCENARIO_KIND: kind, ROUTING_TEST_KIND: ROUTING_TEST_KIND_INFO},
        "$defs": dict(sorted(defs.items())),
    }


ROUTING_TEST_SHAPE = "RoutingTest"
ROUTING_TEST_KIND_INFO = {
    "service": OWN_SERVICE,
    "operation": "RoutingTest",
    "direction": "input",
    "shape": ROUTING_TEST_SHAPE,
    "title": "Routing tests (ses-lsp test)",
    "description": (
        "Rule files and cases: mails, and the result expected for each recipient in the terms of "
        "`ses-lsp simulate --format json`. `ses-lsp test` runs them. See the README."
    ),
}


def _routing_test_defs(defs: dict[str, Any], hoisted: Any) -> None:
    """The definitions of ``ses-lsp:routing-test`` documents, from the member tables of
    :mod:`ses_lsp.semantics.routing` (the one definition of the format).  A case's ``Mail`` is a
    path or an inline scenario: the scenario's members (the same definitions), as an object."""

    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{name}"}

    def member(owner: str, m: Member) -> dict[str, Any]:
        schema = dict(m.schema)
        if "$ref" in schema:
            return {"$ref": f"#/$defs/{schema['$ref']}", "description": m.doc}
        for key in ("items", "additionalProperties"):
            sub = schema.get(key)
            if isinstance(sub, dict) and "$ref" in sub:
                schema[key] = ref(sub["$ref"])
        out = hoisted(owner + m.name[:1].upper() + m.name[1:], schema)
        return {**out, "description": m.doc}

    def obj(name: str, members: tuple[Member, ...], description: str, **extra: Any) -> None:
        defs[name] = {
            "type": "object",
            "additionalProperties": False,
            "properties": {m.name: member(name, m) for m in members},
            "x-member-order": [m.name for m in members],
            "x-shape": name,
            "description": description,
            **({"required": [m.name for m in members if m.required]} if any(m.required for m in members) else {}),
            **extra,
        }

    obj(
        ROUTING_TEST_SHAPE,
        routing.DOCUMENT,
        "Routing tests for `ses-lsp test`: the rule files, and cases of mails with the result expected per recipient.",
    )
    obj("RoutingTestCase", routing.CASE, "One mail and the result expected for its recipients.")
    obj(
        "RoutingTestExpectation",
        routing.EXPECTATION,
        "What is expected for one recipient: the keys given are compared with `ses-lsp simulate --format json`'s.",
    )
    obj("RoutingTestAction", routing.ACTION, "An action expected to run: the members given are compared.")
    obj(
        "RoutingTestStop",
        routing.STOP,
        "Where evaluation is expected to stop (the members given are compared), or null: it does not stop.",
    )
    defs["RoutingTestStop"]["type"] = ["object", "null"]
    scenario = defs[SCENARIO_SHAPE]
    defs["RoutingTestMail"] = {
        "type": ["string", "object"],
        "minLength": 1,
        "additionalProperties": False,
        "properties": scenario["properties"],
        "x-member-order": scenario["x-member-order"],
        "x-shape": "RoutingTestMail",
        "description": "A path (a scenario or `.eml` file, relative to the routing-test file) or an inline scenario.",
    }


def generate_all() -> dict[str, str]:
    """``{file name: file text}`` for every service, freshly generated."""
    version = _botocore().__version__
    _check_unicode_table()
    files: dict[str, str] = {}
    for spec in SERVICE_SPECS:
        files[spec.filename] = render(build_service_schema(spec, version))
    files[f"{OWN_SERVICE}.json"] = render(build_scenario_schema())
    files["cloudformation.json"] = render(build_cloudformation_schema())
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ses_lsp.schema.generate",
        description="Generate ses_lsp/schema/*.json from the pinned botocore models.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and list the files that differ from what would be generated",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=OUTPUT_DIR,
        help="directory of the JSON files (default: the ses_lsp/schema package)",
    )
    args = parser.parse_args(argv)
    try:
        files = generate_all()
    except (GeneratorError, UnknownPatternError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out_dir: Path = args.output_dir
    if args.check:
        stale = []
        for fname, text in files.items():
            path = out_dir / fname
            current = path.read_bytes() if path.is_file() else None
            if current != text.encode("utf-8"):
                stale.append(path)
        if stale:
            for path in stale:
                print(f"stale: {path}", file=sys.stderr)
            print("run: python -m ses_lsp.schema.generate", file=sys.stderr)
            return 1
        print("schemas are up to date")
        return 0
    out_dir.mkdir(parents=True, exist_ok=True)
    for fname, text in files.items():
        path = out_dir / fname
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(text.encode("utf-8"))
        os.replace(tmp, path)
        print(f"wrote {path} ({len(text.encode('utf-8'))} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
