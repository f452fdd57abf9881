// package.json and the code must agree: settings, commands, activation and the bundle path.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { BUNDLED_SCRIPT } from '../src/server';
import { EXTENSION_SECTION, RESTART_SETTINGS, SETTING_KEYS } from '../src/settings';

// out/test/*.test.js -> the extension's directory
const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const properties: Record<string, { default?: unknown; enum?: unknown[] }> = manifest.contributes.configuration.properties;
const source = readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');

describe('package.json', () => {
  it('declares every forwarded setting, without a default that would override the config file', () => {
    for (const key of Object.keys(SETTING_KEYS)) {
      const property = properties[`${EXTENSION_SECTION}.${key}`];
      assert.ok(property, `sesLsp.${key} is not declared`);
      assert.equal(property.default, undefined, `sesLsp.${key} must not have a default`);
    }
  });

  it('declares nothing the extension does not use', () => {
    const used = new Set([
      ...Object.keys(SETTING_KEYS).map((key) => `${EXTENSION_SECTION}.${key}`),
      ...RESTART_SETTINGS,
      `${EXTENSION_SECTION}.trace.server`,
    ]);
    assert.deepEqual(Object.keys(properties).filter((key) => !used.has(key)), []);
  });

  it('has the server settings with their defaults: none names a server, so the bundled one runs', () => {
    assert.equal(properties['sesLsp.server.command'].default, undefined);
    assert.equal(properties['sesLsp.server.pythonPath'].default, '');
    assert.deepEqual(properties['sesLsp.trace.server'].enum, ['off', 'messages', 'verbose']);
    assert.equal(properties['sesLsp.trace.server'].default, 'off');
  });

  it('activates on JSON, JSONC and YAML and points at the bundle', () => {
    assert.deepEqual(manifest.activationEvents.sort(), ['onLanguage:json', 'onLanguage:jsonc', 'onLanguage:yaml']);
    assert.equal(manifest.main, './out/extension.js');
  });

  it('registers each contributed command', () => {
    const commands: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
    assert.ok(commands.includes('sesLsp.restartServer'));
    for (const command of commands) {
      assert.ok(source.includes(`registerCommand('${command}'`), `${command} is not registered`);
    }
  });

  it('uses the client id whose trace setting is declared', () => {
    assert.match(source, /const CLIENT_ID = 'sesLsp';/);
    assert.match(source, /createOutputChannel\(CLIENT_NAME\)/);
    assert.match(source, /const CLIENT_NAME = 'SES LSP';/);
  });

  it('depends on npm packages only, pinned exactly', () => {
    for (const deps of [manifest.dependencies, manifest.devDependencies]) {
      for (const [name, version] of Object.entries(deps as Record<string, string>)) {
        assert.match(version, /^\d+\.\d+\.\d+$/, `${name}@${version} is not an exact npm version`);
      }
    }
  });
});

describe('the .vsix contents (.vscodeignore)', () => {
  const ignore = readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').map((line) => line.trim());

  it('ships the bundled server', () => {
    assert.ok(existsSync(path.join(root, ...BUNDLED_SCRIPT)), `${BUNDLED_SCRIPT.join('/')} is missing`);
    assert.ok(ignore.includes('!bundled/**'), '.vscodeignore must keep bundled/ (the server)');
  });

  it('links the README\'s images relatively to files in the repository, which packaging makes https URLs', () => {
    // scripts/package.py joins the directory to the repository's URL (tests/editors/test_vscode_bundle.py
    // checks that it is this one).
    assert.match(manifest.repository.url, /^https:\/\/github\.com\/[^/]+\/[^/]+\.git$/);
    assert.equal(manifest.repository.directory, 'editors/vscode');
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]);
    assert.ok(images.length > 0, 'the README has no image');
    for (const image of images) {
      assert.doesNotMatch(image, /^(https?:|\.\.\/|\/)/, `${image}: link a file of this directory`);
      assert.ok(existsSync(path.join(root, image)), `${image} does not exist`);
    }
  });
});
