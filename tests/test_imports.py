"""What the package imports: no import cycle, function-level imports only for start-up time, and
`ses-lsp lint` stays cheap to start."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ses_lsp"

# Running these executes a command (the CLI; regenerating the rule index): parsed, not imported.
SCRIPTS = {"ses_lsp.__main__", "ses_lsp.lint.rules.__main__"}

_CLI = "`ses-lsp` imports what a subcommand uses when it runs: `--version` loads no engine, `lint` no server"
_PARSERS = "a JSON document never loads the YAML parser (PyYAML), nor a YAML one the JSON parser"
_CACHED = "a `ses-lsp lint` run whose files are all cached loads no configuration, engine, parser or schema"
_SERVER = (
    "the server answers `initialize` before loading the engine, the rules and the editor features "
    "(the warm-up after `initialized` loads the engine, the rest loads with its first request)"
)
_SERVER_INDEX = "the repository index loads after `initialized` (a server without a workspace folder never needs it)"
_ROUTING = "the evaluation model loads with a routing test's lint, not with `ses-lsp rules` (every family)"
_ROUTING_COMPLETION = "completion reads a routing test's rule files only inside a routing test's expectations"
_WITNESS = (
    "only a rule set with a finding to illustrate (an unreachable rule, a Mail Manager rule that cannot "
    "apply or runs after a delivery) loads the evaluator and the witness builder that check its example mail"
)
_EVERY_FAMILY = "REGISTRY imports every rule family: only {} needs all their docs"

#: Every function-level import of a ses_lsp module, by (importer, imported module), and why it
#: is not at module level.  Start-up time is a reason; hiding an import cycle is not (the test
#: below checks that these imports close no cycle either).
FUNCTION_LEVEL = {
    ("ses_lsp.cli", "ses_lsp.lint.catalogue"): _CLI,
    ("ses_lsp.cli", "ses_lsp.lint.engine"): _CLI,
    ("ses_lsp.cli", "ses_lsp.lint.files"): _CLI,
    ("ses_lsp.cli", "ses_lsp.lint.fixes"): _CLI,
    ("ses_lsp.cli", "ses_lsp.lint.kinds"): _CLI,
    ("ses_lsp.cli", "ses_lsp.lint.output"): _CLI,
    ("ses_lsp.cli", "ses_lsp.lint.rules"): _CLI,
    ("ses_lsp.cli", "ses_lsp.lint.runner"): _CLI,
    ("ses_lsp.cli", "ses_lsp.lint.text"): _CLI,
    ("ses_lsp.cli", "ses_lsp.schema"): _CLI,
    ("ses_lsp.cli", "ses_lsp.simulate"): _CLI,
    ("ses_lsp.cli", "ses_lsp.routing_run"): _CLI,
    ("ses_lsp.cli", "ses_lsp.semantic_diff"): _CLI,
    ("ses_lsp.document.document", "ses_lsp.document.json_parser"): _PARSERS,
    ("ses_lsp.document.document", "ses_lsp.document.yaml_parser"): _PARSERS,
    ("ses_lsp.document.incremental", "ses_lsp.document.json_parser"): _PARSERS,
    ("ses_lsp.document.incremental", "ses_lsp.document.yaml_parser"): _PARSERS,
    ("ses_lsp.editor.completion", "ses_lsp.lint.rules.routing"): _ROUTING_COMPLETION,
    ("ses_lsp.editor.completion", "ses_lsp.routing_files"): _ROUTING_COMPLETION,
    ("ses_lsp.editor.completion", "ses_lsp.semantics.routing"): _ROUTING_COMPLETION,
    ("ses_lsp.editor.hover", "ses_lsp.lint.rules"): _EVERY_FAMILY.format("a hover on a code in a suppression"),
    ("ses_lsp.lint.config", "ses_lsp.knowledge.arns"): "only a configuration that sets a Region loads the ARN tables",
    ("ses_lsp.lint.engine", "ses_lsp.document.yaml_parser"): "a JSON file never imports PyYAML (start-up time)",
    ("ses_lsp.lint.engine", "ses_lsp.cfn.lint"): (
        "only a CloudFormation template loads the template lint (views, rule-set order, its schemas)"
    ),
    ("ses_lsp.cfn.view", "ses_lsp.knowledge.arns"): "only a configuration that sets a Region loads the ARN tables",
    ("ses_lsp.lint.output", "ses_lsp.lint.rules"): _EVERY_FAMILY.format("SARIF output, which lists every rule,"),
    ("ses_lsp.lint.rules.flow", "ses_lsp.semantics.mailmanager"): (
        "a classic lint never loads the Mail Manager model (tests/test_registry.py checks it)"
    ),
    ("ses_lsp.lint.rules.flow", "ses_lsp.semantics.evaluate"): _WITNESS,
    ("ses_lsp.lint.rules.flow", "ses_lsp.semantics.mail"): _WITNESS,
    ("ses_lsp.lint.rules.flow", "ses_lsp.semantics.witness"): _WITNESS,
    ("ses_lsp.lint.runner", "ses_lsp.document.document"): _CACHED,
    ("ses_lsp.lint.runner", "ses_lsp.document.nodes"): _CACHED,
    ("ses_lsp.lint.runner", "ses_lsp.lint.config"): _CACHED,
    ("ses_lsp.lint.runner", "ses_lsp.lint.secrets"): _CACHED,
    ("ses_lsp.lint.runner", "ses_lsp.routing_files"): "only a run with routing tests reads their rule files",
    ("ses_lsp.lint.rules.routing", "ses_lsp.semantics.routing"): _ROUTING,
    ("ses_lsp.routing_files", "ses_lsp.semantics.evaluate"): _ROUTING,
    ("ses_lsp.simulate", "ses_lsp.mermaid"): "only `graph` and `simulate --format mermaid` draw charts",
    ("ses_lsp.semantic_diff", "ses_lsp.mermaid"): "only `diff --format mermaid|markdown` draws a chart",
    ("ses_lsp.mermaid", "ses_lsp.semantics.diff"): (
        "`graph` and `simulate --format mermaid` never load the diff (only its chart reads it)"
    ),
    ("ses_lsp.lint.runner", "ses_lsp.lint.engine"): _CACHED,
    ("ses_lsp.lint.runner", "ses_lsp.lint.fixes"): _CACHED,
    ("ses_lsp.lint.runner", "ses_lsp.lint.related"): _CACHED,
    ("ses_lsp.lint.runner", "ses_lsp.lint.repository"): _CACHED,
    ("ses_lsp.lint.repository", "ses_lsp.cfn.ruleset"): "only a template's summary loads the template model",
    ("ses_lsp.lint.repository", "ses_lsp.cfn.template"): "only a template's summary loads the template model",
    (
        "ses_lsp.lint.runner",
        "ses_lsp.lint.rules.names",
    ): "only a run with files naming rules of another file's rule set reads them",
    ("ses_lsp.lint.workspace", "ses_lsp.lint.related"): (
        "only a cross-file check comparing paths needs their file-system form"
    ),
    ("ses_lsp.server", "ses_lsp.server.server"): "`ses-lsp serve` is a subcommand: pygls loads when the server starts",
    ("ses_lsp.server.server", "ses_lsp.editor.completion"): _SERVER,
    ("ses_lsp.server.server", "ses_lsp.editor.hover"): _SERVER,
    ("ses_lsp.server.server", "ses_lsp.editor.navigation"): _SERVER,
    ("ses_lsp.server.server", "ses_lsp.editor.project"): _SERVER_INDEX,
    ("ses_lsp.server.server", "ses_lsp.lint.repository"): _SERVER_INDEX,
    ("ses_lsp.server.server", "ses_lsp.lint.cache"): _SERVER_INDEX,
    ("ses_lsp.server.server", "ses_lsp.editor.symbols"): _SERVER,
    ("ses_lsp.server.server", "ses_lsp.lint.config"): _SERVER,
    ("ses_lsp.server.server", "ses_lsp.lint.engine"): _SERVER,
    ("ses_lsp.server.server", "ses_lsp.lint.reuse"): _SERVER,
    ("ses_lsp.server.server", "ses_lsp.lint.rules"): _SERVER,
    ("ses_lsp.server.server", "ses_lsp.lint.suppressions"): _SERVER,
    ("ses_lsp.server.server", "ses_lsp.server.simulation"): _SERVER,
    ("ses_lsp.server.simulation", "ses_lsp.editor.routing_lens"): _SERVER,
    ("ses_lsp.server.simulation", "ses_lsp.editor.simulate_command"): _SERVER,
    ("ses_lsp.server.simulation", "ses_lsp.editor.witness_hover"): _SERVER,
    ("ses_lsp.server.simulation", "ses_lsp.lint.config"): _SERVER,
    ("ses_lsp.server.simulation", "ses_lsp.schema"): _SERVER,
}


def modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package: name -> (file, is a package)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        out[".".join(parts)] = (path, is_package)
    return out


MODULE, TYPING, FUNCTION = "module", "typing", "function"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(name: str, path: Path, is_package: bool, known: set[str]) -> list[tuple[str, str]]:
    """The ses_lsp modules a module imports, and where: MODULE (run at import), TYPING (under
    ``if TYPE_CHECKING:``) or FUNCTION (in a function body, at any depth).  ``from a.b import c``
    names the module ``a.b.c`` when there is one, else ``a.b``.  (Importing ``a.b.c`` also runs
    ``a/__init__`` and ``a/b/__init__`` first; those implicit imports are not edges.)"""
    found: list[tuple[str, str]] = []

    def targets(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        base = node.module or ""
        if node.level:
            package = name.split(".") if is_package else name.split(".")[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.extend((t, where) for t in targets(child) if t.split(".")[0] == "ses_lsp")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, FUNCTION)
            elif isinstance(child, ast.If) and where == MODULE and _is_type_checking(child.test):
                for stmt in child.body:
                    visit(ast.Module(body=[stmt], type_ignores=[]), TYPING)
                for stmt in child.orelse:
                    visit(ast.Module(body=[stmt], type_ignores=[]), MODULE)
            else:
                visit(child, where)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), MODULE)
    return found


def graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module-level edges, function-level edges) between ses_lsp modules.  Module-level edges
    include the imports for type checking (a cycle of type dependencies is a cycle too);
    function-level ones leave out modules the importer imports at module level anyway."""
    mods = modules()
    known = set(mods)
    module_level: dict[str, set[str]] = {m: set() for m in mods}
    run_at_import: dict[str, set[str]] = {m: set() for m in mods}
    function_level: dict[str, set[str]] = {m: set() for m in mods}
    for name, (path, is_package) in mods.items():
        for target, where in imports(name, path, is_package, known):
            assert target in known, f"{name} imports {target}, which is not a module of the package"
            if target == name:
                continue
            if where == FUNCTION:
                function_level[name].add(target)
            else:
                module_level[name].add(target)
                if where == MODULE:
                    run_at_import[name].add(target)
    for name in mods:
        function_level[name] -= run_at_import[name]
    return module_level, function_level


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph (its modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_every_module_imports_first_in_a_fresh_interpreter():
    """Each module imports when it is the first ses_lsp module imported (any import order works)."""
    names = [m for m in modules() if m not in SCRIPTS]
    code = (
        "import importlib, json, sys, traceback\n"
        f"names = {names!r}\n"
        "failed = {}\n"
        "for name in names:\n"
        "    for loaded in [m for m in sys.modules if m == 'ses_lsp' or m.startswith('ses_lsp.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except BaseException:\n"
        "        failed[name] = traceback.format_exc(limit=-3)\n"
        "print(json.dumps(failed))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {}
    assert len(names) > 50  # every module was tried


def test_module_level_imports_form_no_cycle():
    module_level, _ = graph()
    assert find_cycle(module_level) is None


def test_function_level_imports_are_listed_with_a_reason_and_hide_no_cycle():
    module_level, function_level = graph()
    found = {(a, b) for a, targets in function_level.items() for b in targets}
    assert sorted(found - FUNCTION_LEVEL.keys()) == [], (
        "list it in FUNCTION_LEVEL with its reason, or import it at the top"
    )
    assert sorted(FUNCTION_LEVEL.keys() - found) == [], (
        "no longer imported in a function: remove it from FUNCTION_LEVEL"
    )
    assert all(reason.strip() for reason in FUNCTION_LEVEL.values())
    both = {m: module_level[m] | function_level[m] for m in module_level}
    assert find_cycle(both) is None


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_linting_one_file_imports_no_server_editor_or_heavy_library(tmp_path):
    """`ses-lsp lint` of one small file (a fresh interpreter, the real CLI) loads neither the
    language server nor the editor features, nor jsonschema, pygls or lsprotocol."""
    (tmp_path / "rule.yaml").write_text("RuleSetName: inbound\nRule: {Name: r, Enabled: true, Actions: []}\n")
    code = (
        "import contextlib, io, json, sys\n"
        "from ses_lsp.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    status = main(['lint', '--no-cache', 'rule.yaml'])\n"
        "print(json.dumps({'status': status, 'out': out.getvalue(), 'modules': sorted(sys.modules)}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == 0 and "SES508" in result["out"]  # it did lint the file
    heavy = ("ses_lsp.server", "ses_lsp.editor", "jsonschema", "pygls", "lsprotocol")
    loaded = [m for m in result["modules"] if any(m == h or m.startswith(h + ".") for h in heavy)]
    assert loaded == []
