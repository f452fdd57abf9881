import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  SETTING_KEYS,
  explicitValue,
  isServerSection,
  serverSection,
  toServerSettings,
} from '../src/settings';

describe('explicitValue', () => {
  it('takes the most specific scope the user set and never the default', () => {
    assert.equal(explicitValue({ defaultValue: ['ALL'] }), undefined);
    assert.equal(explicitValue(undefined), undefined);
    assert.deepEqual(explicitValue({ defaultValue: [], globalValue: ['SES1'] }), ['SES1']);
    assert.deepEqual(explicitValue({ globalValue: ['SES1'], workspaceValue: ['SES2'] }), ['SES2']);
    assert.deepEqual(
      explicitValue({ globalValue: ['SES1'], workspaceValue: ['SES2'], workspaceFolderValue: ['SES3'] }),
      ['SES3'],
    );
    // An explicit empty list is a choice ("no rules"), not "unset".
    assert.deepEqual(explicitValue({ globalValue: ['SES1'], workspaceValue: [] }), []);
  });
});

describe('toServerSettings', () => {
  it('maps every sesLsp setting to the server key name', () => {
    const values: Record<string, unknown> = {
      select: ['SES1'],
      ignore: ['SES507'],
      extendSelect: ['SES9'],
      extendIgnore: ['SES411'],
      severity: { SES505: 'error' },
      kinds: { 'mail/*.yaml': 'mailmanager:create-rule-set' },
      perFileIgnores: { 'legacy/*.json': ['SES101'] },
      region: 'eu-west-1',
      verifiedDomains: ['example.com'],
      activeRuleSet: 'default-rule-set',
      debounce: 200,
    };
    assert.deepEqual(toServerSettings((key) => values[key]), {
      select: ['SES1'],
      ignore: ['SES507'],
      'extend-select': ['SES9'],
      'extend-ignore': ['SES411'],
      severity: { SES505: 'error' },
      kinds: { 'mail/*.yaml': 'mailmanager:create-rule-set' },
      'per-file-ignores': { 'legacy/*.json': ['SES101'] },
      region: 'eu-west-1',
      'verified-domains': ['example.com'],
      'active-rule-set': 'default-rule-set',
      debounce: 200,
    });
  });

  it('leaves out unset settings and blank strings, so the configuration file decides', () => {
    assert.deepEqual(toServerSettings(() => undefined), {});
    assert.deepEqual(toServerSettings((key) => (key === 'region' ? '  ' : key === 'select' ? null : undefined)), {});
  });

  it('never asks for the server command or trace settings', () => {
    const asked: string[] = [];
    toServerSettings((key) => {
      asked.push(key);
      return undefined;
    });
    assert.deepEqual(asked.sort(), Object.keys(SETTING_KEYS).sort());
    assert.ok(!asked.some((key) => key.startsWith('server') || key.startsWith('trace')));
  });

  it('returns plain copies', () => {
    const frozen = Object.freeze({ SES505: 'error' });
    const out = toServerSettings((key) => (key === 'severity' ? frozen : undefined));
    assert.notEqual(out.severity, frozen);
    assert.ok(!Object.isFrozen(out.severity));
  });
});

describe('sections', () => {
  it('wraps the settings in the ses-lsp section', () => {
    assert.deepEqual(serverSection({ select: ['ALL'] }), { 'ses-lsp': { select: ['ALL'] } });
    assert.ok(isServerSection('ses-lsp'));
    assert.ok(isServerSection('sesLsp'));
    assert.ok(!isServerSection('yaml'));
    assert.ok(!isServerSection(undefined));
  });
});
