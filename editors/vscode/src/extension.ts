// The VS Code side of ses-lsp: it starts the Python language server (`ses-lsp serve`) over
// stdio and hands it the documents and settings. Diagnostics, hover, completion and code
// actions all come from the server; nothing is linted here. The server is the one bundled with
// the extension unless a setting names another (src/server.ts chooses).

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
} from 'vscode-languageclient/node';

import {
  Environment,
  ServerCommand,
  SettingsError,
  displayCommand,
  resolveServerCommand,
  startFailedMessage,
} from './command';
import {
  BUNDLED_FLAGS,
  BUNDLED_SCRIPT,
  Interpreter,
  Probe,
  ServerHost,
  chooseServer,
  parseProbe,
} from './server';
import {
  EXTENSION_SECTION,
  RESTART_SETTINGS,
  explicitValue,
  isServerSection,
  serverSection,
  toServerSettings,
} from './settings';

const CLIENT_ID = 'sesLsp'; // the client reads `sesLsp.trace.server`
const CLIENT_NAME = 'SES LSP';
const LANGUAGES = ['json', 'jsonc', 'yaml'];
const SCHEMES = ['file', 'untitled'];
const STOP_TIMEOUT_MS = 5000;
const PROBE_TIMEOUT_MS = 15_000;
const PYTHON_EXTENSION_ID = 'ms-python.python';
const PYTHON_EXTENSION_TIMEOUT_MS = 20_000;

let client: LanguageClient | undefined;
let channel: vscode.OutputChannel | undefined;
let simulationChannel: vscode.OutputChannel | undefined;
let queue: Promise<void> = Promise.resolve();
let extensionContext: vscode.ExtensionContext | undefined;
let watchingPythonExtension = false;

export function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionContext = context;
  channel = vscode.window.createOutputChannel(CLIENT_NAME);
  context.subscriptions.push(
    channel,
    vscode.commands.registerCommand('sesLsp.restartServer', () => restart('the restart command')),
    vscode.commands.registerCommand('sesLsp.showOutput', () => channel?.show(true)),
    vscode.commands.registerCommand('sesLsp.simulate', () => simulateMail()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_SETTINGS.some((setting) => event.affectsConfiguration(setting))) {
        void restart('the server settings changed');
      }
    }),
    // In a restricted workspace the command settings come from the user settings only.
    vscode.workspace.onDidGrantWorkspaceTrust(() => restart('the workspace is trusted')),
  );
  return restart('activation');
}

export function deactivate(): Promise<void> {
  return enqueue(stopClient);
}

/** Stop the running server (if any) and start a new one. */
function restart(reason: string): Promise<void> {
  return enqueue(async () => {
    log(`Starting the server (${reason})`);
    await stopClient();
    await startClient();
  });
}

/** Run `task` after the previous start/stop; a failure is logged and never blocks the next one. */
function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task).catch((error: unknown) => {
    log(`Unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  });
  return queue;
}

async function stopClient(): Promise<void> {
  const old = client;
  client = undefined;
  if (old === undefined) {
    return;
  }
  try {
    if (old.needsStop()) {
      await old.stop(STOP_TIMEOUT_MS);
    }
  } catch (error) {
    log(`Stopping the server failed: ${errorText(error)}`);
  }
}

function environment(): Environment {
  return {
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    home: os.homedir(),
    env: process.env,
    platform: process.platform,
  };
}

function isExecutableFile(candidate: string): boolean {
  try {
    if (!fs.statSync(candidate).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(candidate, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** The `ses-lsp` settings for the server: only what the user set, in the server's key names. */
function currentSettings(scope?: vscode.ConfigurationScope | null): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(EXTENSION_SECTION, scope ?? undefined);
  return toServerSettings((key) => explicitValue(config.inspect(key)));
}

/** The part of the Python extension's API used here (its `environments` API). */
interface PythonExtensionApi {
  environments: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(environment: { id: string; path: string } | string): Promise<
      { executable: { uri?: vscode.Uri } } | undefined
    >;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

function withTimeout<T>(promise: Thenable<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error); },
    );
  });
}

/** The interpreter the Python extension has selected for the first workspace folder. */
async function pythonExtensionInterpreter(): Promise<{ path: string } | { none: string }> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (extension === undefined) {
    return { none: 'the Python extension is not installed' };
  }
  if (!vscode.workspace.isTrusted) {
    // Its interpreter may be a program inside the (untrusted) workspace.
    return { none: 'the workspace is not trusted' };
  }
  try {
    const api = extension.isActive
      ? extension.exports
      : await withTimeout(extension.activate(), PYTHON_EXTENSION_TIMEOUT_MS, 'activating the Python extension');
    const environments = api?.environments;
    if (environments === undefined) {
      return { none: 'the Python extension has no environments API' };
    }
    if (!watchingPythonExtension) {
      watchingPythonExtension = true;
      extensionContext?.subscriptions.push(environments.onDidChangeActiveEnvironmentPath(() => {
        if (usesBundledServer()) {
          void restart("the Python extension's interpreter changed");
        }
      }));
    }
    const active = environments.getActiveEnvironmentPath(vscode.workspace.workspaceFolders?.[0]?.uri);
    const resolved = await withTimeout(
      environments.resolveEnvironment(active),
      PYTHON_EXTENSION_TIMEOUT_MS,
      'resolving the Python extension\'s interpreter',
    );
    // Unresolved, its path is still the interpreter's as the Python extension knows it.
    const executable = resolved?.executable.uri?.fsPath ?? active.path;
    if (executable) {
      return { path: executable };
    }
    return { none: `it has no interpreter selected (${active.path || 'none'})` };
  } catch (error) {
    return { none: errorText(error) };
  }
}

/** Neither server setting is set: the bundled server runs, on an interpreter found for it. */
function usesBundledServer(): boolean {
  const config = vscode.workspace.getConfiguration(EXTENSION_SECTION);
  try {
    const settings = { command: config.get('server.command'), pythonPath: config.get('server.pythonPath') };
    return resolveServerCommand(settings, environment()) === undefined;
  } catch {
    return false;
  }
}

/** What a failed probe said: its last line of stderr (usually the error), else its first. */
function probeError(stderr: string, error: Error | null): string {
  const lines = stderr.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const last = lines.at(-1);
  if (last !== undefined && !/^Try [`']?python/.test(last)) {
    return last;
  }
  return lines[0] ?? error?.message ?? 'no output';
}

function serverHost(context: vscode.ExtensionContext, env: Environment): ServerHost {
  return {
    environment: env,
    extensionPath: context.extensionPath,
    isExecutable: isExecutableFile,
    pythonExtension: pythonExtensionInterpreter,
    probe: (interpreter: Interpreter, bundled: boolean) => new Promise<Probe>((resolve) => {
      const script = path.join(context.extensionPath, ...BUNDLED_SCRIPT);
      const args = [...interpreter.args, ...(bundled ? BUNDLED_FLAGS : []), script, 'probe'];
      execFile(
        interpreter.program,
        args,
        { cwd: env.workspaceFolder, timeout: PROBE_TIMEOUT_MS, windowsHide: true, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const info = parseProbe(stdout);
          resolve(info !== undefined ? { info } : { error: probeError(stderr, error) });
        },
      );
    }),
  };
}

async function startClient(): Promise<void> {
  const context = extensionContext;
  if (context === undefined) {
    return;
  }
  const config = vscode.workspace.getConfiguration(EXTENSION_SECTION);
  const env = environment();
  let resolution;
  try {
    resolution = await chooseServer(
      { command: config.get('server.command'), pythonPath: config.get('server.pythonPath') },
      serverHost(context, env),
    );
  } catch (error) {
    if (error instanceof SettingsError) {
      void showError(error.message);
      return;
    }
    throw error;
  }
  for (const note of resolution.notes) {
    log(note);
  }
  if (!resolution.ok) {
    void showError(resolution.message);
    return;
  }
  const { command, description } = resolution.choice;
  log(`Server: ${description}`);
  log(`Server command: ${displayCommand(command)}`);

  const serverOptions: ServerOptions = {
    command: command.program,
    args: command.args,
    options: {
      cwd: env.workspaceFolder,
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' },
    },
  };
  const newClient = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions(command));
  client = newClient;
  try {
    await newClient.start();
    log(`Server started: ${newClient.initializeResult?.serverInfo?.name ?? 'ses-lsp'} ${newClient.initializeResult?.serverInfo?.version ?? ''}`.trimEnd());
  } catch (error) {
    if (client === newClient) {
      client = undefined;
    }
    void showError(startFailedMessage(command, errorText(error)));
  }
}

function clientOptions(command: ServerCommand): LanguageClientOptions {
  let crashes: number[] = [];
  return {
    documentSelector: LANGUAGES.flatMap((language) => SCHEMES.map((scheme) => ({ scheme, language }))),
    outputChannel: channel,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: serverSection(currentSettings()),
    synchronize: { configurationSection: EXTENSION_SECTION },
    initializationFailedHandler: (error) => {
      log(`The server failed to initialize: ${errorText(error)}`);
      return false;
    },
    errorHandler: {
      // Logged in the output channel; the start-up failure and repeated crashes get our own
      // message with the fix, so the client's generic "connection is erroring" toast is not shown.
      error: (error, _message, count) => {
        log(`Connection to the server: ${errorText(error)}`);
        return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
      },
      closed: () => {
        const now = Date.now();
        crashes = [...crashes.filter((t) => now - t < 180_000), now];
        if (crashes.length <= 4) {
          return { action: CloseAction.Restart, handled: true };
        }
        void showError(startFailedMessage(command, 'it stopped 5 times in 3 minutes and will not be restarted'));
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
    middleware: {
      workspace: {
        // The server asks for the `ses-lsp` section; answer it from the `sesLsp.*` settings.
        configuration: async (params, token, next) => {
          const others = params.items
            .map((item, index) => ({ item, index }))
            .filter(({ item }) => !isServerSection(item.section));
          let fromVSCode: unknown[] = [];
          if (others.length > 0) {
            const result = await next({ items: others.map(({ item }) => item) }, token);
            if (!Array.isArray(result)) {
              return result;
            }
            fromVSCode = result;
          }
          const answers: unknown[] = [];
          let next_ = 0;
          for (const item of params.items) {
            if (isServerSection(item.section)) {
              answers.push(currentSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined));
            } else {
              answers.push(fromVSCode[next_++] ?? null);
            }
          }
          return answers;
        },
        // Send the settings as `{"ses-lsp": {...}}` with the server's key names.
        didChangeConfiguration: async (sections, next) => {
          if (sections === undefined || !sections.some(isServerSection)) {
            return next(sections);
          }
          const running = client;
          if (running === undefined || !running.isRunning()) {
            return;
          }
          await running.sendNotification(DidChangeConfigurationNotification.type, {
            settings: serverSection(currentSettings()),
          });
        },
      },
    },
  };
}

/** Log the message and show it with its fixes; never awaited, so a pending toast blocks nothing. */
async function showError(message: string): Promise<void> {
  log(message);
  const choice = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show Output');
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', `${EXTENSION_SECTION}.server`);
  } else if (choice === 'Show Output') {
    channel?.show(true);
  }
}

/** The server's simulate command (ses_lsp/server/simulation.py): what it answers. */
interface SimulateResult {
  text?: string;
  json?: unknown;
  error?: string;
}

const SIMULATE_COMMAND = 'ses-lsp.simulate';
const SIMULATION_CHANNEL = 'SES Simulation';

/**
 * "SES: Simulate mail against this rule set": asks for a mail file (a scenario or an .eml), has
 * the server run it through the active editor's rule set (its current text, saved or not) and
 * shows the trace in the "SES Simulation" output.
 */
async function simulateMail(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined || !LANGUAGES.includes(editor.document.languageId)) {
    void vscode.window.showErrorMessage('SES: open a rule set (JSON or YAML) in the editor first, then simulate a mail against it.');
    return;
  }
  const running = client;
  if (running === undefined || !running.isRunning()) {
    void vscode.window.showErrorMessage('SES: the ses-lsp server is not running (see "SES LSP: Show output").');
    return;
  }
  const folder = vscode.workspace.getWorkspaceFolder(editor.document.uri)?.uri;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    canSelectFolders: false,
    defaultUri: folder,
    openLabel: 'Simulate',
    title: 'The mail to simulate: a scenario (YAML/JSON) or a message file (.eml)',
    filters: { 'Mail (scenario, .eml)': ['yaml', 'yml', 'json', 'eml'], 'All files': ['*'] },
  });
  if (picked === undefined || picked.length === 0) {
    return;
  }
  const result = await running.sendRequest(ExecuteCommandRequest.type, {
    command: SIMULATE_COMMAND,
    arguments: [editor.document.uri.toString(), picked[0].toString()],
  }) as SimulateResult | null;
  if (result === null || result === undefined || typeof result.text !== 'string') {
    const why = result?.error ?? 'the server gave no trace';
    void vscode.window.showErrorMessage(`SES: cannot simulate ${path.basename(picked[0].fsPath)}: ${why.split('\n')[0]}`);
    log(`Simulate ${picked[0].fsPath}: ${why}`);
    return;
  }
  if (simulationChannel === undefined) {
    simulationChannel = vscode.window.createOutputChannel(SIMULATION_CHANNEL);
    extensionContext?.subscriptions.push(simulationChannel);
  }
  simulationChannel.clear();
  simulationChannel.append(result.text);
  simulationChannel.show(true);
}

function log(message: string): void {
  channel?.appendLine(`[${new Date().toISOString()}] ${message}`);
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
