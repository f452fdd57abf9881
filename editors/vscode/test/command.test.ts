import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import {
  Environment,
  ServerCommand,
  SettingsError,
  displayCommand,
  expandVariables,
  findExecutable,
  notFoundMessage,
  resolveServerCommand,
  startFailedMessage,
} from '../src/command';

const posix: Environment = {
  workspaceFolder: '/work/project',
  home: '/home/me',
  env: { PATH: '/usr/local/bin:/usr/bin', VENV: '/opt/venv' },
  platform: 'linux',
};

/** resolveServerCommand for settings that name a server (never undefined here). */
function resolve(settings: { command?: unknown; pythonPath?: unknown }, environment: Environment = posix): ServerCommand {
  const command = resolveServerCommand(settings, environment);
  assert.ok(command, `${JSON.stringify(settings)} names no server`);
  return command;
}

describe('resolveServerCommand', () => {
  it('names no command when neither setting is set: the bundled server runs', () => {
    assert.equal(resolveServerCommand({}, posix), undefined);
    assert.equal(resolveServerCommand({ command: null, pythonPath: '' }, posix), undefined);
    assert.equal(resolveServerCommand({ pythonPath: '   ' }, posix), undefined);
    // How VS Code reports the list setting when nobody set it (it has no default).
    assert.equal(resolveServerCommand({ command: [], pythonPath: '' }, posix), undefined);
  });

  it('keeps an explicit ["ses-lsp", "serve"]: ses-lsp from PATH, as before', () => {
    assert.deepEqual(resolve({ command: ['ses-lsp', 'serve'] }), { program: 'ses-lsp', args: ['serve'], origin: 'command' });
  });

  it('uses the command setting as program and arguments', () => {
    const cmd = resolveServerCommand({ command: ['/opt/venv/bin/ses-lsp', 'serve', '--log-file', 'x.log'] }, posix);
    assert.deepEqual(cmd, { program: '/opt/venv/bin/ses-lsp', args: ['serve', '--log-file', 'x.log'], origin: 'command' });
  });

  it('prefers pythonPath and runs the module', () => {
    const cmd = resolveServerCommand({ command: ['ses-lsp', 'serve'], pythonPath: '/opt/venv/bin/python' }, posix);
    assert.deepEqual(cmd, { program: '/opt/venv/bin/python', args: ['-m', 'ses_lsp', 'serve'], origin: 'pythonPath' });
  });

  it('ignores an empty or blank pythonPath', () => {
    const command = ['ses-lsp', 'serve'];
    assert.equal(resolve({ command, pythonPath: '' }).origin, 'command');
    assert.equal(resolve({ command, pythonPath: '   ' }).origin, 'command');
    assert.equal(resolve({ command, pythonPath: null }).origin, 'command');
  });

  it('expands ~, ${workspaceFolder}, ${userHome} and ${env:NAME}', () => {
    assert.equal(resolve({ pythonPath: '~/venv/bin/python' }).program, '/home/me/venv/bin/python');
    assert.equal(
      resolve({ pythonPath: '${workspaceFolder}/.venv/bin/python' }).program,
      '/work/project/.venv/bin/python',
    );
    const cmd = resolve({ command: ['${env:VENV}/bin/ses-lsp', 'serve', '--log-file', '${userHome}/s.log'] });
    assert.equal(cmd.program, '/opt/venv/bin/ses-lsp');
    assert.deepEqual(cmd.args, ['serve', '--log-file', '/home/me/s.log']);
  });

  it('accepts a single string as the program', () => {
    assert.deepEqual(resolve({ command: 'ses-lsp' }).args, []);
  });

  it('rejects bad values with a fix', () => {
    for (const command of [[1, 2], {}, [''], 42]) {
      assert.throws(() => resolveServerCommand({ command }, posix), (error: unknown) => {
        assert.ok(error instanceof SettingsError);
        assert.match(error.message, /sesLsp\.server\.command must .*\["ses-lsp", "serve"\]/);
        return true;
      });
    }
    assert.throws(() => resolveServerCommand({ pythonPath: ['python'] }, posix), /sesLsp\.server\.pythonPath must be a string/);
  });
});

describe('expandVariables', () => {
  it('leaves unknown variables and a workspace-less ${workspaceFolder} alone', () => {
    assert.equal(expandVariables('${foo}/x', posix), '${foo}/x');
    assert.equal(expandVariables('${workspaceFolder}/x', { ...posix, workspaceFolder: undefined }), '${workspaceFolder}/x');
    assert.equal(expandVariables('${env:MISSING}x', posix), 'x');
    assert.equal(expandVariables('a~b', posix), 'a~b');
  });
});

describe('findExecutable', () => {
  const files = new Set(['/usr/bin/ses-lsp', '/work/project/.venv/bin/python', 'C:\\Tools\\ses-lsp.EXE']);
  const exists = (p: string) => files.has(p);

  it('searches PATH in order', () => {
    assert.equal(findExecutable('ses-lsp', posix, exists), '/usr/bin/ses-lsp');
    assert.equal(findExecutable('ses-lsp', { ...posix, env: { PATH: '/usr/local/bin' } }, exists), undefined);
    assert.equal(findExecutable('ses-lsp', { ...posix, env: {} }, exists), undefined);
  });

  it('checks absolute paths and resolves relative ones against the workspace folder', () => {
    assert.equal(findExecutable('/usr/bin/ses-lsp', posix, exists), '/usr/bin/ses-lsp');
    assert.equal(findExecutable('/nope/ses-lsp', posix, exists), undefined);
    assert.equal(findExecutable('.venv/bin/python', posix, exists), '/work/project/.venv/bin/python');
    assert.equal(findExecutable('./.venv/bin/python', posix, exists), path.posix.join('/work/project', '.venv/bin/python'));
  });

  it('tries PATHEXT on Windows', () => {
    const win: Environment = { platform: 'win32', env: { Path: 'C:\\Windows;C:\\Tools', PATHEXT: '.COM;.EXE' } };
    assert.equal(findExecutable('ses-lsp', win, exists), 'C:\\Tools\\ses-lsp.EXE');
  });
});

describe('messages', () => {
  it('says how to get ses-lsp when an explicit ses-lsp command is missing', () => {
    const message = notFoundMessage(resolve({ command: ['ses-lsp', 'serve'] }));
    assert.match(message, /^ses-lsp was not found \(on PATH\): clear sesLsp\.server\.command to use the ses-lsp bundled with the extension, or install it there \(pip install "git\+https:\/\/github\.com\/ses-lsp\/ses-lsp@main"\)/);
  });

  it('names the setting that points at a missing program', () => {
    assert.match(
      notFoundMessage(resolve({ pythonPath: '/nope/python' })),
      /"\/nope\/python" \(sesLsp\.server\.pythonPath\) was not found: set sesLsp\.server\.pythonPath to a Python 3\.10 or later, or clear it/,
    );
    assert.match(
      notFoundMessage(resolve({ command: ['/opt/venv/bin/ses-lsp', 'serve'] })),
      /^ses-lsp was not found \(at \/opt\/venv\/bin\/ses-lsp\): clear sesLsp\.server\.command/,
    );
    assert.match(
      notFoundMessage(resolve({ command: ['my-wrapper'] })),
      /"my-wrapper" \(sesLsp\.server\.command\) was not found: fix sesLsp\.server\.command, or clear it/,
    );
  });

  it('suggests reinstalling into the configured interpreter when its server does not start', () => {
    const message = startFailedMessage(resolve({ pythonPath: '/opt/py 3/python' }), 'exit code 1');
    assert.match(message, /\("\/opt\/py 3\/python" -m ses_lsp serve\) did not start: exit code 1\./);
    assert.match(message, /\/opt\/py 3\/python -m pip install "git\+https:/);
  });

  it('suggests another interpreter when the bundled server does not start', () => {
    const message = startFailedMessage({ program: '/usr/bin/python3', args: ['-I', 'x.py', 'serve'], origin: 'bundled' }, 'exit code 1');
    assert.match(message, /^The bundled ses-lsp server \(\/usr\/bin\/python3 -I x\.py serve\) did not start: exit code 1\. To use another: set sesLsp\.server\.pythonPath/);
    assert.doesNotMatch(message, /pip install/);
  });

  it('quotes arguments with spaces', () => {
    assert.equal(displayCommand({ program: 'ses-lsp', args: ['serve', 'a b'], origin: 'command' }), 'ses-lsp serve "a b"');
  });
});
