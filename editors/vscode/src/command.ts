// The server settings (`sesLsp.server.pythonPath`, `sesLsp.server.command`), finding programs on
// PATH, and the messages when a configured program is missing or does not start.
//
// `sesLsp.server.pythonPath` wins when set (`<python> -m ses_lsp serve`); otherwise
// `sesLsp.server.command`; neither set: the server bundled with the extension (src/server.ts).
// `~` and `${workspaceFolder}` are expanded. A bare program name is searched on PATH (with PATHEXT
// on Windows) before the client starts, so a missing program gives a message with a fix instead
// of a spawn error.
//
// Pure code: no `vscode` import; file-system access is injected, so it is unit-tested.

import * as path from 'node:path';

export const PYTHON_ARGS: readonly string[] = Object.freeze(['-m', 'ses_lsp', 'serve']);

/** pythonPath: its own ses-lsp; command: the configured command; bundled: the extension's. */
export type CommandOrigin = 'command' | 'pythonPath' | 'bundled';

export interface ServerCommand {
  /** The program as configured (after variable expansion), or as found. */
  program: string;
  args: string[];
  origin: CommandOrigin;
}

export class SettingsError extends Error {}

export interface Environment {
  /** The first workspace folder's path, for `${workspaceFolder}` and relative programs. */
  workspaceFolder?: string;
  home?: string;
  /** `process.env`-like: PATH, PATHEXT and `${env:NAME}` lookups. */
  env: Record<string, string | undefined>;
  platform: string;
}

/** `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}` in one setting value. */
export function expandVariables(value: string, environment: Environment): string {
  let out = value.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (match, name: string, envName?: string) => {
    if (envName !== undefined) {
      return environment.env[envName] ?? '';
    }
    if (name === 'userHome') {
      return environment.home ?? match;
    }
    return environment.workspaceFolder ?? match;
  });
  if (environment.home && (out === '~' || out.startsWith('~/') || out.startsWith('~\\'))) {
    out = environment.home + out.slice(1);
  }
  return out;
}

/**
 * The server command from the two settings, or undefined when neither is set (the bundled
 * server); throws SettingsError with the fix for bad values.
 */
export function resolveServerCommand(
  settings: { command?: unknown; pythonPath?: unknown },
  environment: Environment,
): ServerCommand | undefined {
  const pythonPath = settings.pythonPath;
  if (pythonPath !== undefined && pythonPath !== null && pythonPath !== '') {
    if (typeof pythonPath !== 'string') {
      throw new SettingsError('sesLsp.server.pythonPath must be a string: the path of a Python interpreter that has ses-lsp installed');
    }
    if (pythonPath.trim() !== '') {
      return { program: expandVariables(pythonPath.trim(), environment), args: [...PYTHON_ARGS], origin: 'pythonPath' };
    }
  }
  let command = settings.command;
  // VS Code reports a list setting that nobody set as [] (it has no default): unset too.
  if (command === undefined || command === null || (Array.isArray(command) && command.length === 0)) {
    return undefined;
  }
  if (typeof command === 'string') {
    // Tolerate a single string (a common mistake) when it is just a program.
    command = [command];
  }
  if (!Array.isArray(command) || command.length === 0 || !command.every((part) => typeof part === 'string')) {
    throw new SettingsError('sesLsp.server.command must be a non-empty list of strings, e.g. ["ses-lsp", "serve"]');
  }
  const parts = (command as string[]).map((part) => expandVariables(part, environment));
  if (parts[0].trim() === '') {
    throw new SettingsError('sesLsp.server.command must start with a program, e.g. ["ses-lsp", "serve"]');
  }
  return { program: parts[0].trim(), args: parts.slice(1), origin: 'command' };
}

function hasDirectory(program: string, platform: string): boolean {
  return program.includes('/') || (platform === 'win32' && program.includes('\\'));
}

/**
 * The absolute path of `program`, or undefined when it cannot be found.
 * A program with a directory part is taken relative to the workspace folder; a bare name is
 * searched on PATH. `isExecutable` says whether a path is an executable file.
 */
export function findExecutable(
  program: string,
  environment: Environment,
  isExecutable: (candidate: string) => boolean,
): string | undefined {
  const p = environment.platform === 'win32' ? path.win32 : path.posix;
  const extensions = environment.platform === 'win32'
    ? ['', ...(environment.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)]
    : [''];
  const candidates: string[] = [];
  if (p.isAbsolute(program) || hasDirectory(program, environment.platform)) {
    const base = environment.workspaceFolder ?? environment.env.PWD ?? '';
    const full = p.isAbsolute(program) ? program : p.resolve(base, program);
    candidates.push(...extensions.map((ext) => full + ext));
  } else {
    const pathVar = environment.env.PATH ?? environment.env.Path ?? '';
    for (const dir of pathVar.split(p.delimiter)) {
      if (dir) {
        candidates.push(...extensions.map((ext) => p.join(dir, program + ext)));
      }
    }
  }
  return candidates.find((candidate) => isExecutable(candidate));
}

/** How to install the server until a release is on the package index (see the README). */
export const INSTALL_SPEC = '"git+https://github.com/ses-lsp/ses-lsp@main"';

/** The message shown when the program of `command` cannot be found, with the fix. */
export function notFoundMessage(command: ServerCommand): string {
  if (command.origin === 'pythonPath') {
    return `The Python interpreter "${command.program}" (sesLsp.server.pythonPath) was not found: `
      + 'set sesLsp.server.pythonPath to a Python 3.10 or later, or clear it to let the extension find one';
  }
  const name = command.program.split(/[\\/]/).pop() ?? command.program;
  if (name === 'ses-lsp' || name === 'ses-lsp.exe') {
    const where = hasDirectory(command.program, 'win32') ? `at ${command.program}` : 'on PATH';
    return `ses-lsp was not found (${where}): clear sesLsp.server.command to use the ses-lsp bundled with the `
      + `extension, or install it there (pip install ${INSTALL_SPEC}), or set sesLsp.server.command to its full path`;
  }
  return `The server program "${command.program}" (sesLsp.server.command) was not found: `
    + 'fix sesLsp.server.command, or clear it to use the ses-lsp bundled with the extension';
}

/** The message shown when the program exists but the server did not start. */
export function startFailedMessage(command: ServerCommand, reason: string): string {
  const fix = command.origin === 'bundled'
    ? 'set sesLsp.server.pythonPath to another Python 3.10 or later'
    : command.origin === 'pythonPath'
      ? `clear sesLsp.server.pythonPath, or reinstall ses-lsp there: ${command.program} -m pip install ${INSTALL_SPEC}`
      : 'clear sesLsp.server.command to use the ses-lsp bundled with the extension';
  const which = command.origin === 'bundled' ? 'The bundled ses-lsp server' : 'The ses-lsp server';
  return `${which} (${displayCommand(command)}) did not start: ${reason}. `
    + `To use another: ${fix}. The "SES LSP" output has the details.`;
}

/** The command line as one readable string. */
export function displayCommand(command: ServerCommand): string {
  return [command.program, ...command.args]
    .map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part))
    .join(' ');
}
