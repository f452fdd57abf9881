import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import {
  DEFAULT_COMMAND,
  Environment,
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

describe('resolveServerCommand', () => {
  it('defaults to ses-lsp serve', () => {
    assert.deepEqual(resolveServerCommand({}, posix), { program: 'ses-lsp', args: ['serve'], origin: 'command' });
    assert.deepEqual([...DEFAULT_COMMAND], ['ses-lsp', 'serve']);
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
    assert.equal(resolveServerCommand({ pythonPath: '' }, posix).origin, 'command');
    assert.equal(resolveServerCommand({ pythonPath: '   ' }, posix).origin, 'command');
    assert.equal(resolveServerCommand({ pythonPath: null }, posix).origin, 'command');
  });

  it('expands ~, ${workspaceFolder}, ${userHome} and ${env:NAME}', () => {
    assert.equal(resolveServerCommand({ pythonPath: '~/venv/bin/python' }, posix).program, '/home/me/venv/bin/python');
    assert.equal(
      resolveServerCommand({ pythonPath: '${workspaceFolder}/.venv/bin/python' }, posix).program,
      '/work/project/.venv/bin/python',
    );
    const cmd = resolveServerCommand({ command: ['${env:VENV}/bin/ses-lsp', 'serve', '--log-file', '${userHome}/s.log'] }, posix);
    assert.equal(cmd.program, '/opt/venv/bin/ses-lsp');
    assert.deepEqual(cmd.args, ['serve', '--log-file', '/home/me/s.log']);
  });

  it('accepts a single string as the program', () => {
    assert.deepEqual(resolveServerCommand({ command: 'ses-lsp' }, posix).args, []);
  });

  it('rejects bad values with a fix', () => {
    for (const command of [[], [1, 2], {}, [''], 42]) {
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
  it('says how to install ses-lsp when the default command is missing', () => {
    const message = notFoundMessage(resolveServerCommand({}, posix));
    assert.match(message, /^ses-lsp was not found \(on PATH\): pip install \"git\+https:\/\/github\.com\/ses-lsp\/ses-lsp@main\", or set sesLsp\.server\.pythonPath/);
  });

  it('names the setting that points at a missing program', () => {
    assert.match(
      notFoundMessage(resolveServerCommand({ pythonPath: '/nope/python' }, posix)),
      /"\/nope\/python" \(sesLsp\.server\.pythonPath\) was not found.*pip install "git\+https:/,
    );
    assert.match(
      notFoundMessage(resolveServerCommand({ command: ['/opt/venv/bin/ses-lsp', 'serve'] }, posix)),
      /^ses-lsp was not found \(at \/opt\/venv\/bin\/ses-lsp\)/,
    );
    assert.match(
      notFoundMessage(resolveServerCommand({ command: ['my-wrapper'] }, posix)),
      /"my-wrapper" \(sesLsp\.server\.command\) was not found/,
    );
  });

  it('suggests installing into the configured interpreter when the server does not start', () => {
    const message = startFailedMessage(resolveServerCommand({ pythonPath: '/opt/py 3/python' }, posix), 'exit code 1');
    assert.match(message, /\("\/opt\/py 3\/python" -m ses_lsp serve\) did not start: exit code 1\./);
    assert.match(message, /\/opt\/py 3\/python -m pip install "git\+https:/);
  });

  it('quotes arguments with spaces', () => {
    assert.equal(displayCommand({ program: 'ses-lsp', args: ['serve', 'a b'], origin: 'command' }), 'ses-lsp serve "a b"');
  });
});
