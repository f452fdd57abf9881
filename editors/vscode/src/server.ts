// Which ses-lsp server to start, on which Python, and what to tell the user when there is none.
//
// In this order:
//   1. `sesLsp.server.pythonPath`: that interpreter runs its own ses-lsp (`python -m ses_lsp
//      serve`, e.g. a project's virtualenv) when it has one, else the server bundled with the
//      extension;
//   2. `sesLsp.server.command`: exactly that command (a bare program is looked up on PATH);
//   3. otherwise the bundled server, on the first Python 3.10+ of: the interpreter the Python
//      extension has selected for the workspace, `python3` and `python` on PATH (and `py -3` on
//      Windows). None: a message that says how to get one.
//
// The bundled server is `bundled/tool/ses_lsp_server.py` with `bundled/libs` (scripts/package.py)
// run as `python -I -S -u ses_lsp_server.py serve`: nothing from the interpreter's environment is
// imported. Its `probe` mode reports an interpreter's version (and, for pythonPath, whether it has
// ses-lsp); the probing and the Python extension are reached through `ServerHost`, so that this
// module is plain code, unit-tested without VS Code.

import * as path from 'node:path';

import {
  Environment,
  ServerCommand,
  findExecutable,
  notFoundMessage,
  resolveServerCommand,
} from './command';

export const MIN_PYTHON: readonly [number, number] = [3, 10];
/** The launcher of the bundled server, relative to the extension's directory. */
export const BUNDLED_SCRIPT: readonly string[] = Object.freeze(['bundled', 'tool', 'ses_lsp_server.py']);
/** -I: no PYTHON* variables and no user site-packages; -S: no site-packages at all; -u: unbuffered. */
export const BUNDLED_FLAGS: readonly string[] = Object.freeze(['-I', '-S', '-u']);
const PYTHON_EXTENSION = "the Python extension's interpreter";

/** What `ses_lsp_server.py probe` prints. */
export interface ProbeInfo {
  version: number[];
  executable: string;
  /** The ses-lsp that `python -m ses_lsp` would run there (not looked for with -S). */
  ses_lsp: { version: string; path: string } | null;
}

export type Probe = { info: ProbeInfo } | { error: string };

/** A way to run a Python: program (absolute once found), leading arguments, where it came from. */
export interface Interpreter {
  program: string;
  args: string[];
  source: string;
}

export interface ServerHost {
  environment: Environment;
  /** The extension's directory (holds bundled/). */
  extensionPath: string;
  isExecutable(candidate: string): boolean;
  /** Runs `probe` with the interpreter: with BUNDLED_FLAGS when `bundled`, else as `python -m` would. */
  probe(interpreter: Interpreter, bundled: boolean): Promise<Probe>;
  /** The Python extension's interpreter for the workspace, or why there is none to use. */
  pythonExtension(): Promise<{ path: string } | { none: string }>;
}

export interface Choice {
  command: ServerCommand;
  /** Which server runs, on what, from where: one line for the output channel. */
  description: string;
  /** The interpreter is the Python extension's: a change of it restarts the server. */
  fromPythonExtension: boolean;
}

export type Resolution =
  | { ok: true; choice: Choice; notes: string[] }
  | { ok: false; message: string; notes: string[] };

/** The command that runs the bundled server on the interpreter. */
export function bundledCommand(interpreter: Interpreter, extensionPath: string, platform: string): ServerCommand {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return {
    program: interpreter.program,
    args: [...interpreter.args, ...BUNDLED_FLAGS, p.join(extensionPath, ...BUNDLED_SCRIPT), 'serve'],
    origin: 'bundled',
  };
}

/** The interpreters tried on PATH, in order. */
export function pathInterpreters(platform: string): Interpreter[] {
  const names: Interpreter[] = [
    { program: 'python3', args: [], source: 'python3 on PATH' },
    { program: 'python', args: [], source: 'python on PATH' },
  ];
  if (platform === 'win32') {
    names.push({ program: 'py', args: ['-3'], source: 'the py launcher on PATH' });
  }
  return names;
}

export function versionText(version: number[]): string {
  return version.join('.');
}

export function isSupported(version: number[]): boolean {
  const [major = 0, minor = 0] = version;
  return major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]);
}

/** The probe's JSON output, or undefined when it is not what the probe prints. */
export function parseProbe(stdout: string): ProbeInfo | undefined {
  const line = stdout.trim().split(/\r?\n/).pop() ?? '';
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null) {
      return undefined;
    }
    const info = value as Partial<ProbeInfo>;
    if (!Array.isArray(info.version) || !info.version.every((part) => typeof part === 'number')
      || typeof info.executable !== 'string') {
      return undefined;
    }
    const ses = info.ses_lsp;
    const sesLsp = ses && typeof ses === 'object' && typeof ses.version === 'string' && typeof ses.path === 'string'
      ? { version: ses.version, path: ses.path }
      : null;
    return { version: info.version, executable: info.executable, ses_lsp: sesLsp };
  } catch {
    return undefined;
  }
}

const FIX_NO_PYTHON = 'Install Python 3.10 or later (python.org, or your system\'s packages) and select it with '
  + '"Python: Select Interpreter" (Python extension) or set sesLsp.server.pythonPath to it; '
  + 'or set sesLsp.server.command to a ses-lsp you installed';

/** The message when no interpreter can run the bundled server. */
export function noPythonMessage(attempts: string[]): string {
  const tried = attempts.length > 0 ? ` (${attempts.join('; ')})` : '';
  return `ses-lsp needs Python 3.10 or later to run, and found none${tried}. ${FIX_NO_PYTHON}.`;
}

function bundledChoice(interpreter: Interpreter, info: ProbeInfo, host: ServerHost, fromPythonExtension: boolean): Choice {
  const p = host.environment.platform === 'win32' ? path.win32 : path.posix;
  return {
    command: bundledCommand(interpreter, host.extensionPath, host.environment.platform),
    description: `the ses-lsp bundled with the extension (${p.join(host.extensionPath, 'bundled')}) `
      + `on Python ${versionText(info.version)} at ${info.executable} (${interpreter.source})`,
    fromPythonExtension,
  };
}

/** Why an interpreter cannot run the server, or undefined when it can. */
function unusable(probe: Probe): string | undefined {
  if ('error' in probe) {
    return `did not run (${probe.error})`;
  }
  if (!isSupported(probe.info.version)) {
    return `is Python ${versionText(probe.info.version)}`;
  }
  return undefined;
}

async function fromPythonPath(pythonPath: ServerCommand, host: ServerHost, notes: string[]): Promise<Resolution> {
  const executable = findExecutable(pythonPath.program, host.environment, host.isExecutable);
  if (executable === undefined) {
    return { ok: false, message: notFoundMessage(pythonPath), notes };
  }
  const interpreter: Interpreter = { program: executable, args: [], source: 'sesLsp.server.pythonPath' };
  const probe = await host.probe(interpreter, false);
  const why = unusable(probe);
  if (why !== undefined || 'error' in probe) {
    return {
      ok: false,
      message: `The Python interpreter "${executable}" (sesLsp.server.pythonPath) ${why}: ses-lsp needs Python 3.10 `
        + 'or later; set sesLsp.server.pythonPath to one, or clear it to let the extension find one',
      notes,
    };
  }
  const own = probe.info.ses_lsp;
  if (own === null) {
    notes.push(`${executable} (sesLsp.server.pythonPath) has no ses-lsp installed: running the bundled one on it`);
    return { ok: true, choice: bundledChoice(interpreter, probe.info, host, false), notes };
  }
  return {
    ok: true,
    choice: {
      command: { ...pythonPath, program: executable },
      description: `ses-lsp ${own.version} installed at ${own.path}, on Python ${versionText(probe.info.version)} `
        + `at ${probe.info.executable} (sesLsp.server.pythonPath)`,
      fromPythonExtension: false,
    },
    notes,
  };
}

/**
 * The server to start for these settings. Throws SettingsError (with the fix) for a malformed
 * setting; everything else, including "nothing found", is a Resolution.
 */
export async function chooseServer(
  settings: { command?: unknown; pythonPath?: unknown },
  host: ServerHost,
): Promise<Resolution> {
  const notes: string[] = [];
  const configured = resolveServerCommand(settings, host.environment);
  if (configured?.origin === 'pythonPath') {
    return fromPythonPath(configured, host, notes);
  }
  if (configured !== undefined) {
    const executable = findExecutable(configured.program, host.environment, host.isExecutable);
    if (executable === undefined) {
      return { ok: false, message: notFoundMessage(configured), notes };
    }
    return {
      ok: true,
      choice: {
        command: { ...configured, program: executable },
        description: `${executable} (sesLsp.server.command)`,
        fromPythonExtension: false,
      },
      notes,
    };
  }

  const attempts: string[] = [];
  const fromExtension = await host.pythonExtension();
  const candidates: { interpreter: Interpreter; fromPythonExtension: boolean }[] = [];
  if ('path' in fromExtension) {
    candidates.push({
      interpreter: { program: fromExtension.path, args: [], source: PYTHON_EXTENSION },
      fromPythonExtension: true,
    });
  } else {
    notes.push(`Not using the Python extension's interpreter: ${fromExtension.none}`);
  }
  for (const interpreter of pathInterpreters(host.environment.platform)) {
    candidates.push({ interpreter, fromPythonExtension: false });
  }
  let missingOnPath: string[] = [];
  for (const { interpreter, fromPythonExtension } of candidates) {
    const executable = findExecutable(interpreter.program, host.environment, host.isExecutable);
    if (executable === undefined) {
      if (fromPythonExtension) {
        attempts.push(`${interpreter.source} ${interpreter.program} does not exist`);
      } else {
        missingOnPath = [...missingOnPath, interpreter.program];
      }
      continue;
    }
    const found = { ...interpreter, program: executable };
    const probe = await host.probe(found, true);
    const why = unusable(probe);
    if (why === undefined && 'info' in probe) {
      notes.push(...attempts.map((attempt) => `Skipped ${attempt}`));
      return { ok: true, choice: bundledChoice(found, probe.info, host, fromPythonExtension), notes };
    }
    attempts.push(`${interpreter.source} ${executable} ${why}`);
  }
  if (missingOnPath.length > 0) {
    attempts.push(`no ${missingOnPath.join(', ')} on PATH`);
  }
  return { ok: false, message: noPythonMessage(attempts), notes };
}
