import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Environment, SettingsError } from '../src/command';
import {
  BUNDLED_FLAGS,
  Interpreter,
  Probe,
  ProbeInfo,
  ServerHost,
  chooseServer,
  isSupported,
  noPythonMessage,
  parseProbe,
  pathInterpreters,
} from '../src/server';

const EXTENSION = '/home/me/.vscode/extensions/ses-lsp.ses-lsp-0.1.0';
const SCRIPT = `${EXTENSION}/bundled/tool/ses_lsp_server.py`;

const posix: Environment = {
  workspaceFolder: '/work/project',
  home: '/home/me',
  env: { PATH: '/usr/local/bin:/usr/bin' },
  platform: 'linux',
};

interface FakeOptions {
  files?: string[];
  /** program -> what the probe reports (bundled or not), or an error text. */
  pythons?: Record<string, ProbeInfo | string>;
  pythonExtension?: { path: string } | { none: string };
  environment?: Environment;
}

/** A ServerHost over a fake file system and fake interpreters; records the probes it ran. */
function fakeHost(options: FakeOptions): ServerHost & { probes: { program: string; bundled: boolean }[] } {
  const files = new Set(options.files ?? []);
  const probes: { program: string; bundled: boolean }[] = [];
  return {
    probes,
    environment: options.environment ?? posix,
    extensionPath: EXTENSION,
    isExecutable: (candidate) => files.has(candidate),
    pythonExtension: async () => options.pythonExtension ?? { none: 'the Python extension is not installed' },
    probe: async (interpreter: Interpreter, bundled: boolean): Promise<Probe> => {
      probes.push({ program: interpreter.program, bundled });
      const result = options.pythons?.[interpreter.program];
      if (result === undefined) {
        return { error: `no such interpreter in this test: ${interpreter.program}` };
      }
      if (typeof result === 'string') {
        return { error: result };
      }
      // The bundled probe runs with -S: it never looks for the interpreter's own ses-lsp.
      return { info: bundled ? { ...result, ses_lsp: null } : result };
    },
  };
}

function python(version: number[], executable: string, sesLsp: ProbeInfo['ses_lsp'] = null): ProbeInfo {
  return { version, executable, ses_lsp: sesLsp };
}

describe('chooseServer: the bundled server', () => {
  it('runs on python3 from PATH, isolated from its site-packages', async () => {
    const host = fakeHost({
      files: ['/usr/bin/python3'],
      pythons: { '/usr/bin/python3': python([3, 11, 2], '/usr/bin/python3', { version: '0.0.9', path: '/usr/lib/python3/dist-packages/ses_lsp' }) },
    });
    // As VS Code reports the two settings when nobody set them.
    const resolution = await chooseServer({ command: [], pythonPath: '' }, host);
    assert.ok(resolution.ok);
    assert.deepEqual(resolution.choice.command, {
      program: '/usr/bin/python3',
      args: ['-I', '-S', '-u', SCRIPT, 'serve'],
      origin: 'bundled',
    });
    assert.deepEqual([...BUNDLED_FLAGS], ['-I', '-S', '-u']);
    assert.equal(
      resolution.choice.description,
      `the ses-lsp bundled with the extension (${EXTENSION}/bundled) on Python 3.11.2 at /usr/bin/python3 (python3 on PATH)`,
    );
    assert.equal(resolution.choice.fromPythonExtension, false);
    assert.deepEqual(host.probes, [{ program: '/usr/bin/python3', bundled: true }]);
    assert.deepEqual(resolution.notes, ['Not using the Python extension\'s interpreter: the Python extension is not installed']);
  });

  it('prefers the Python extension\'s interpreter', async () => {
    const host = fakeHost({
      files: ['/usr/bin/python3', '/work/project/.venv/bin/python'],
      pythons: {
        '/usr/bin/python3': python([3, 11, 2], '/usr/bin/python3'),
        '/work/project/.venv/bin/python': python([3, 12, 1], '/work/project/.venv/bin/python'),
      },
      pythonExtension: { path: '/work/project/.venv/bin/python' },
    });
    const resolution = await chooseServer({}, host);
    assert.ok(resolution.ok);
    assert.equal(resolution.choice.command.program, '/work/project/.venv/bin/python');
    assert.equal(resolution.choice.fromPythonExtension, true);
    assert.match(resolution.choice.description, /on Python 3\.12\.1 at \/work\/project\/\.venv\/bin\/python \(the Python extension's interpreter\)$/);
    assert.deepEqual(resolution.notes, []);
  });

  it('passes over an interpreter older than 3.10, and says so', async () => {
    const host = fakeHost({
      files: ['/usr/bin/python3', '/usr/bin/python', '/opt/py38/bin/python'],
      pythons: {
        '/opt/py38/bin/python': python([3, 8, 10], '/opt/py38/bin/python'),
        '/usr/bin/python3': python([3, 9, 2], '/usr/bin/python3'),
        '/usr/bin/python': python([3, 13, 0], '/usr/bin/python'),
      },
      pythonExtension: { path: '/opt/py38/bin/python' },
    });
    const resolution = await chooseServer({}, host);
    assert.ok(resolution.ok);
    assert.equal(resolution.choice.command.program, '/usr/bin/python');
    assert.equal(resolution.choice.fromPythonExtension, false);
    assert.deepEqual(resolution.notes, [
      'Skipped the Python extension\'s interpreter /opt/py38/bin/python is Python 3.8.10',
      'Skipped python3 on PATH /usr/bin/python3 is Python 3.9.2',
    ]);
  });

  it('says what to do when there is no usable Python', async () => {
    const host = fakeHost({
      files: ['/usr/bin/python'],
      pythons: { '/usr/bin/python': 'SyntaxError: invalid syntax' },
      pythonExtension: { path: '/gone/bin/python' },
    });
    const resolution = await chooseServer({}, host);
    assert.ok(!resolution.ok);
    assert.equal(
      resolution.message,
      'ses-lsp needs Python 3.10 or later to run, and found none (the Python extension\'s interpreter /gone/bin/python '
        + 'does not exist; python on PATH /usr/bin/python did not run (SyntaxError: invalid syntax); no python3 on PATH). '
        + 'Install Python 3.10 or later (python.org, or your system\'s packages) and select it with "Python: Select '
        + 'Interpreter" (Python extension) or set sesLsp.server.pythonPath to it; or set sesLsp.server.command to a '
        + 'ses-lsp you installed.',
    );
    assert.equal(
      noPythonMessage([]),
      'ses-lsp needs Python 3.10 or later to run, and found none. Install Python 3.10 or later (python.org, or '
        + 'your system\'s packages) and select it with "Python: Select Interpreter" (Python extension) or set '
        + 'sesLsp.server.pythonPath to it; or set sesLsp.server.command to a ses-lsp you installed.',
    );
  });

  it('tries the py launcher on Windows, with its -3', async () => {
    const win: Environment = { platform: 'win32', env: { Path: 'C:\\Windows', PATHEXT: '.EXE' } };
    assert.deepEqual(pathInterpreters('win32').map((i) => [i.program, ...i.args]), [['python3'], ['python'], ['py', '-3']]);
    assert.deepEqual(pathInterpreters('darwin').map((i) => i.program), ['python3', 'python']);
    const host = fakeHost({
      environment: win,
      files: ['C:\\Windows\\py.EXE'],
      pythons: { 'C:\\Windows\\py.EXE': python([3, 13, 1], 'C:\\Python313\\python.exe') },
    });
    const resolution = await chooseServer({}, { ...host, extensionPath: 'C:\\ext' });
    assert.ok(resolution.ok);
    assert.deepEqual(resolution.choice.command.args, ['-3', '-I', '-S', '-u', 'C:\\ext\\bundled\\tool\\ses_lsp_server.py', 'serve']);
  });
});

describe('chooseServer: sesLsp.server.pythonPath', () => {
  it('runs the interpreter\'s own ses-lsp when it has one', async () => {
    const host = fakeHost({
      files: ['/work/project/.venv/bin/python'],
      pythons: {
        '/work/project/.venv/bin/python': python([3, 12, 1], '/work/project/.venv/bin/python', {
          version: '0.2.0',
          path: '/work/project/.venv/lib/python3.12/site-packages/ses_lsp',
        }),
      },
    });
    const resolution = await chooseServer({ pythonPath: '${workspaceFolder}/.venv/bin/python' }, host);
    assert.ok(resolution.ok);
    assert.deepEqual(resolution.choice.command, {
      program: '/work/project/.venv/bin/python',
      args: ['-m', 'ses_lsp', 'serve'],
      origin: 'pythonPath',
    });
    assert.equal(
      resolution.choice.description,
      'ses-lsp 0.2.0 installed at /work/project/.venv/lib/python3.12/site-packages/ses_lsp, on Python 3.12.1 at '
        + '/work/project/.venv/bin/python (sesLsp.server.pythonPath)',
    );
    // Probed as `python -m ses_lsp` would see it, not isolated.
    assert.deepEqual(host.probes, [{ program: '/work/project/.venv/bin/python', bundled: false }]);
  });

  it('runs the bundled server on it when it has none', async () => {
    const host = fakeHost({
      files: ['/opt/python3.13/bin/python3'],
      pythons: { '/opt/python3.13/bin/python3': python([3, 13, 0], '/opt/python3.13/bin/python3') },
    });
    const resolution = await chooseServer({ pythonPath: '/opt/python3.13/bin/python3', command: ['ses-lsp', 'serve'] }, host);
    assert.ok(resolution.ok);
    assert.equal(resolution.choice.command.origin, 'bundled');
    assert.deepEqual(resolution.choice.command.args, ['-I', '-S', '-u', SCRIPT, 'serve']);
    assert.match(resolution.choice.description, /\(sesLsp\.server\.pythonPath\)$/);
    assert.deepEqual(resolution.notes, ['/opt/python3.13/bin/python3 (sesLsp.server.pythonPath) has no ses-lsp installed: running the bundled one on it']);
  });

  it('refuses an interpreter that is missing, too old or not Python, with the fix', async () => {
    const missing = await chooseServer({ pythonPath: '/nope/python' }, fakeHost({}));
    assert.ok(!missing.ok);
    assert.match(missing.message, /^The Python interpreter "\/nope\/python" \(sesLsp\.server\.pythonPath\) was not found/);
    const old = await chooseServer(
      { pythonPath: '/usr/bin/python3.8' },
      fakeHost({ files: ['/usr/bin/python3.8'], pythons: { '/usr/bin/python3.8': python([3, 8, 10], '/usr/bin/python3.8') } }),
    );
    assert.ok(!old.ok);
    assert.equal(
      old.message,
      'The Python interpreter "/usr/bin/python3.8" (sesLsp.server.pythonPath) is Python 3.8.10: ses-lsp needs Python '
        + '3.10 or later; set sesLsp.server.pythonPath to one, or clear it to let the extension find one',
    );
    const broken = await chooseServer(
      { pythonPath: '/usr/bin/node' },
      fakeHost({ files: ['/usr/bin/node'], pythons: { '/usr/bin/node': 'SyntaxError: Unexpected identifier' } }),
    );
    assert.ok(!broken.ok);
    assert.match(broken.message, /"\/usr\/bin\/node" \(sesLsp\.server\.pythonPath\) did not run \(SyntaxError: Unexpected identifier\): ses-lsp needs Python 3\.10/);
  });
});

describe('chooseServer: sesLsp.server.command', () => {
  it('runs the command as configured, without looking for Python', async () => {
    const host = fakeHost({ files: ['/opt/venv/bin/ses-lsp', '/usr/bin/python3'] });
    const resolution = await chooseServer({ command: ['/opt/venv/bin/ses-lsp', 'serve', '--log-file', '/tmp/s.log'] }, host);
    assert.ok(resolution.ok);
    assert.deepEqual(resolution.choice.command, {
      program: '/opt/venv/bin/ses-lsp',
      args: ['serve', '--log-file', '/tmp/s.log'],
      origin: 'command',
    });
    assert.equal(resolution.choice.description, '/opt/venv/bin/ses-lsp (sesLsp.server.command)');
    assert.deepEqual(host.probes, []);
  });

  it('says how to fix a missing program', async () => {
    const resolution = await chooseServer({ command: ['/nonexistent/bin/ses-lsp', 'serve'] }, fakeHost({}));
    assert.ok(!resolution.ok);
    assert.match(resolution.message, /^ses-lsp was not found \(at \/nonexistent\/bin\/ses-lsp\): clear sesLsp\.server\.command/);
  });

  it('throws SettingsError for a malformed setting', async () => {
    await assert.rejects(chooseServer({ command: [''] }, fakeHost({})), SettingsError);
  });
});

describe('parseProbe', () => {
  it('reads the probe\'s JSON line', () => {
    assert.deepEqual(parseProbe('{"version": [3, 11, 2], "executable": "/usr/bin/python3", "ses_lsp": null}\n'), {
      version: [3, 11, 2],
      executable: '/usr/bin/python3',
      ses_lsp: null,
    });
    assert.deepEqual(
      parseProbe('noise\n{"version": [3, 12, 0], "executable": "p", "ses_lsp": {"version": "0.1.0", "path": "/x"}}'),
      { version: [3, 12, 0], executable: 'p', ses_lsp: { version: '0.1.0', path: '/x' } },
    );
  });

  it('rejects anything else', () => {
    for (const text of ['', 'Python 3.11.2', '[]', '{"version": "3.11", "executable": "p"}', '{"version": [3, 11]}']) {
      assert.equal(parseProbe(text), undefined, text);
    }
  });
});

describe('isSupported', () => {
  it('needs 3.10 or later', () => {
    assert.ok(isSupported([3, 10, 0]) && isSupported([3, 14, 2]) && isSupported([4, 0]));
    assert.ok(!isSupported([3, 9, 18]) && !isSupported([2, 7, 18]) && !isSupported([]));
  });
});
