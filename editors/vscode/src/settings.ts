// The extension's settings (`sesLsp.*`) as the server's `ses-lsp` settings section.
//
// The server takes the keys of the `[tool.ses-lsp]` configuration table (kebab-case) plus
// `debounce`, and rejects the whole section when a key is unknown.  Only settings the user has
// actually set are forwarded: a setting left alone must not override the project's
// `.ses-lsp.toml` / `pyproject.toml` (VS Code would otherwise report a type default such as `[]`,
// and `select: []` means "no rules at all").
//
// Pure code: no `vscode` import, so it is unit-tested with node's test runner.

/** The section the server reads (`initializationOptions`, `workspace/configuration`). */
export const SERVER_SECTION = 'ses-lsp';

/** The extension's own settings section in VS Code. */
export const EXTENSION_SECTION = 'sesLsp';

/** `sesLsp.<key>` -> the server's key. */
export const SETTING_KEYS: Readonly<Record<string, string>> = Object.freeze({
  select: 'select',
  ignore: 'ignore',
  extendSelect: 'extend-select',
  extendIgnore: 'extend-ignore',
  severity: 'severity',
  kinds: 'kinds',
  perFileIgnores: 'per-file-ignores',
  region: 'region',
  verifiedDomains: 'verified-domains',
  activeRuleSet: 'active-rule-set',
  debounce: 'debounce',
});

/** What `WorkspaceConfiguration.inspect()` returns, reduced to the values we use. */
export interface Inspection<T = unknown> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** The value the user set, most specific scope first; `undefined` when only the default applies. */
export function explicitValue<T>(inspection: Inspection<T> | undefined): T | undefined {
  if (!inspection) {
    return undefined;
  }
  for (const value of [inspection.workspaceFolderValue, inspection.workspaceValue, inspection.globalValue]) {
    if (value !== undefined && value !== null) {
      return value;
    }
  }
  return undefined;
}

/** A plain JSON copy: VS Code hands out frozen proxies that do not serialise everywhere. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/**
 * The server's settings object built from an accessor that returns the explicitly set value of
 * `sesLsp.<key>` (or `undefined`). Empty strings count as unset for the string settings.
 */
export function toServerSettings(explicit: (key: string) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, serverKey] of Object.entries(SETTING_KEYS)) {
    const value = explicit(key);
    if (value === undefined || value === null) {
      continue;
    }
    if (typeof value === 'string' && value.trim() === '') {
      continue;
    }
    out[serverKey] = plain(value);
  }
  return out;
}

/** The `initializationOptions` / `didChangeConfiguration` payload: `{"ses-lsp": {...}}`. */
export function serverSection(settings: Record<string, unknown>): Record<string, unknown> {
  return { [SERVER_SECTION]: settings };
}

/** True for a configuration section the server asks about (`workspace/configuration` items). */
export function isServerSection(section: string | undefined | null): boolean {
  return section === SERVER_SECTION || section === EXTENSION_SECTION;
}

/** The settings whose change needs a new server process (not just new settings). */
export const RESTART_SETTINGS: readonly string[] = Object.freeze([
  `${EXTENSION_SECTION}.server.command`,
  `${EXTENSION_SECTION}.server.pythonPath`,
]);
