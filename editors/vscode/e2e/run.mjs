// Drives a running code-server (VS Code) in headless Chromium: opens a broken SES rule file,
// waits for ses-lsp's diagnostics in the Problems panel, hovers a key, takes a screenshot,
// reads the extension's output, checks the README image on the extension's details page.
// Writes a JSON result; exits 0 only when every check passed. Every wait is bounded.
//
//   node run.mjs --url http://127.0.0.1:PORT/ --folder DIR --file NAME --screenshot PNG
//                --result JSON --pid-file FILE --logs DIR [--chromium /usr/bin/chromium]
//                [--timeout SECONDS]
//                [--expect-warning CODE]   (the workspace settings make CODE a warning)
//                [--simulate-rules NAME --simulate-mail PATH]   (a rule set with routing tests beside
//                it: its code lenses, and "SES: Simulate mail against this rule set" with PATH)
//
// --logs is code-server's logs directory (USER-DATA-DIR/logs), where VS Code writes the
// extension's "SES LSP" output channel. Run by scripts/vscode-e2e.sh, which starts and stops
// code-server.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    folder: { type: 'string' },
    file: { type: 'string', default: 'broken-rule.yaml' },
    hover: { type: 'string', default: 'TlsPolicy' },
    screenshot: { type: 'string' },
    result: { type: 'string' },
    artifacts: { type: 'string' },
    'readme-screenshot': { type: 'string' },
    'readme-image-url': { type: 'string' },
    'readme-image-file': { type: 'string' },
    'pid-file': { type: 'string' },
    logs: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    timeout: { type: 'string', default: '120' },
    'expect-warning': { type: 'string' },
    'simulate-rules': { type: 'string' },
    'simulate-mail': { type: 'string' },
  },
});
for (const required of ['url', 'folder', 'screenshot', 'result', 'logs']) {
  if (!opt[required]) {
    console.error(`run.mjs: --${required} is required`);
    process.exit(2);
  }
}

const TIMEOUT = Number(opt.timeout) * 1000;
const started = Date.now();
const result = {
  ok: false, steps: [], problems: [], codes: [], hover: null, screenshot: null, notFoundMessage: null,
  severity: {}, ignoredBySettings: null, completion: [], quickFix: null, output: [], readmeImage: null,
  codeLenses: [], simulation: [],
  error: null, console: [],
};
const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
const step = (name) => {
  result.steps.push({ name, at: Number(elapsed()) });
  console.log(`  [${elapsed()}s] ${name}`);
};

/** The lines of the extension's "SES LSP" output channel as VS Code logged them (no traces). */
function outputLines() {
  const files = readdirSync(opt.logs, { recursive: true })
    .filter((name) => String(name).endsWith('SES LSP.log'))
    .map((name) => join(opt.logs, String(name)));
  return files.flatMap((file) => readFileSync(file, 'utf8').split('\n'))
    .filter((line) => line.trim() !== '' && !line.startsWith('[Trace'));
}

/** The lines of the extension's "SES Simulation" output channel. */
function simulationLines() {
  const files = readdirSync(opt.logs, { recursive: true })
    .filter((name) => String(name).endsWith('SES Simulation.log'))
    .map((name) => join(opt.logs, String(name)));
  return files.flatMap((file) => readFileSync(file, 'utf8').split('\n')).filter((line) => line.trim() !== '');
}

/** Poll `check` until it returns a truthy value; throw `what` after `timeout` ms. */
async function until(what, check, timeout = TIMEOUT, interval = 250) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout / 1000}s waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

let server;
let browser;
try {
  step('launch chromium');
  server = await chromium.launchServer({
    executablePath: opt.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    handleSIGINT: false,
  });
  if (opt['pid-file'] && server.process()?.pid) {
    writeFileSync(opt['pid-file'], `${server.process().pid}\n`);
  }
  browser = await chromium.connect(server.wsEndpoint(), { timeout: 60_000 });
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (message) => {
    if (message.type() === 'error' && result.console.length < 50) result.console.push(message.text().slice(0, 500));
  });

  step('open VS Code');
  const url = new URL(opt.url);
  url.searchParams.set('folder', opt.folder);
  await page.goto(url.toString(), { timeout: TIMEOUT, waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: TIMEOUT });
  // The explorer shows the folder once the workbench has restored.
  await until('the workspace folder in the explorer',
    async () => (await page.locator('.explorer-folders-view .monaco-list-row').count()) > 0);

  step(`quick open ${opt.file}`);
  const editorLines = page.locator('.editor-group-container .monaco-editor .view-lines');
  await until(`the editor with ${opt.file}`, async () => {
    if (await editorLines.first().isVisible() && (await editorLines.first().innerText()).includes(opt.hover)) {
      return true;
    }
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(opt.file);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: opt.file }).first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
    await editorLines.first().waitFor({ state: 'visible', timeout: 10_000 });
    return (await editorLines.first().innerText()).includes(opt.hover);
  });

  step('open the Problems panel (Ctrl+Shift+M)');
  const markers = page.locator('.markers-panel');
  await until('the Problems panel', async () => {
    if (await markers.first().isVisible()) return true;
    await page.locator('.editor-group-container .monaco-editor').first().click({ position: { x: 200, y: 5 } });
    await page.keyboard.press('Control+Shift+M');
    await markers.first().waitFor({ state: 'visible', timeout: 5_000 });
    return true;
  });

  step('wait for ses-lsp diagnostics');
  const rows = page.locator('.markers-panel .monaco-list-row');
  const problems = await until('ses-lsp problems (SESnnn codes) in the Problems panel', async () => {
    const texts = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    return texts.some((t) => /\bSES\d{3}\b/.test(t)) ? texts : null;
  });
  // Let the list settle (later diagnostics of the same pass), then read it again.
  await page.waitForTimeout(1000);
  result.problems = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()) || problems;
  result.codes = [...new Set(result.problems.flatMap((t) => t.match(/\bSES\d{3}\b/g) ?? []))].sort();
  const severities = await rows.evaluateAll((elements) => elements.map((element) => {
    const icon = element.querySelector('.marker-icon');
    const cls = icon ? `${icon.className} ${icon.innerHTML}` : '';
    return /warning/.test(cls) ? 'warning' : /error/.test(cls) ? 'error' : /info/.test(cls) ? 'info' : null;
  }));
  result.severity = Object.fromEntries(result.problems.flatMap((t, i) => {
    const code = t.match(/\bSES\d{3}\b/);
    return code && severities[i] ? [[code[0], severities[i]]] : [];
  }));
  console.log(`  problems:\n    ${result.problems.join('\n    ')}`);
  console.log(`  severities: ${JSON.stringify(result.severity)}`);
  const expected = [
    { code: 'SES104', text: '"TlsPolicy" is "required"' },
    { code: 'SES101', text: 'unknown member "Bucket"' },
  ];
  for (const { code, text } of expected) {
    if (!result.problems.some((t) => t.includes(code) && t.includes(text))) {
      throw new Error(`the Problems panel has no ${code} problem saying ${JSON.stringify(text)}`);
    }
  }
  if (!result.problems.some((t) => t.includes('ses-lsp'))) {
    throw new Error('no problem in the Problems panel names ses-lsp as its source');
  }
  // The workspace settings say {"sesLsp.severity": {"SES411": "warning"}} (an info by default):
  // the settings reached the server at start-up.
  if (opt['expect-warning'] && result.severity[opt['expect-warning']] !== 'warning') {
    throw new Error(`${opt['expect-warning']} is shown as ${result.severity[opt['expect-warning']]}, not as the warning sesLsp.severity asks for`);
  }

  step(`hover ${opt.hover}`);
  const token = page.locator('.editor-group-container .monaco-editor .view-line span span', { hasText: new RegExp(`^${opt.hover}$`) }).first();
  const hoverWidget = page.locator('.monaco-hover:visible, .monaco-hover-content:visible');
  const hoverText = await until(`a hover with the documentation of ${opt.hover}`, async () => {
    const box = await token.boundingBox();
    if (!box) return null;
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      for (const text of await hoverWidget.allInnerTexts()) {
        if (text.includes(opt.hover) && /Transport Layer Security/.test(text)) return text;
      }
      await page.waitForTimeout(200);
    }
    // Fall back to the keyboard: put the cursor on the key and run "Show Hover" (Ctrl+K Ctrl+I).
    await token.click();
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await page.waitForTimeout(1500);
    for (const text of await hoverWidget.allInnerTexts()) {
      if (text.includes(opt.hover) && /Transport Layer Security/.test(text)) return text;
    }
    return null;
  });
  result.hover = hoverText.replace(/\s+/g, ' ').trim();
  console.log(`  hover: ${result.hover.slice(0, 200)}`);

  step('screenshot');
  mkdirSync(dirname(opt.screenshot), { recursive: true });
  await page.screenshot({ path: opt.screenshot, timeout: 30_000 });
  result.screenshot = opt.screenshot;

  // A settings change reaches the running server: ignoring a rule removes its problem.
  const settingsFile = join(opt.folder, '.vscode', 'settings.json');
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
  if (opt['expect-warning']) {
    step(`set sesLsp.ignore to ["${opt['expect-warning']}"]`);
    settings['sesLsp.ignore'] = [opt['expect-warning']];
    writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    await until(`${opt['expect-warning']} to leave the Problems panel after the settings change`, async () => {
      const texts = await rows.allInnerTexts();
      return texts.some((t) => t.includes('SES104')) && !texts.some((t) => t.includes(opt['expect-warning']));
    }, Math.min(TIMEOUT, 60_000));
    result.ignoredBySettings = opt['expect-warning'];
  }

  // Completion from the server: a new line in BounceAction offers its missing members.
  step('completion in BounceAction');
  const editorLine = (text) => page.locator('.editor-group-container .monaco-editor .view-line', { hasText: text }).first();
  const suggestions = page.locator('.suggest-widget.visible .monaco-list-row');
  result.completion = await until('a completion list with StatusCode in BounceAction', async () => {
    await page.keyboard.press('Escape');
    await editorLine('postmaster@example.com').click({ timeout: 10_000 });
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+Space');
    try {
      await suggestions.first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(500);
      const labels = (await suggestions.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      return labels.some((label) => label.startsWith('StatusCode')) ? labels : null;
    } finally {
      // Leave the document as it was: close the list, undo the new line.
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+Z');
    }
  }, Math.min(TIMEOUT, 60_000), 500);
  console.log(`  completion: ${result.completion.join(' | ')}`);

  // A quick fix from the server: Ctrl+. on the unknown member "Bucket" renames it, and its
  // problem leaves the Problems panel.
  step('quick fix: Rename "Bucket" to "BucketName"');
  const fixTitle = 'Rename "Bucket" to "BucketName"';
  const bucket = page.locator('.editor-group-container .monaco-editor .view-line span span', { hasText: /^Bucket$/ }).first();
  const action = page.locator('.action-widget .monaco-list-row', { hasText: fixTitle }).first();
  await until(`the quick fix "${fixTitle}"`, async () => {
    await page.keyboard.press('Escape');
    await bucket.click({ timeout: 10_000 });
    await page.keyboard.press('Control+.');
    try {
      await action.waitFor({ state: 'visible', timeout: 5_000 });
    } catch {
      return false;
    }
    await action.click({ timeout: 5_000 });
    return true;
  }, Math.min(TIMEOUT, 60_000), 500);
  await until('BucketName in the editor and no SES101 in the Problems panel', async () => {
    const texts = await rows.allInnerTexts();
    // Monaco renders spaces as no-break spaces: normalise them.
    const fixed = (await editorLine('example-inbound-mail').innerText()).replace(/\s+/g, ' ').trim();
    return fixed.startsWith('BucketName: example-inbound-mail') && !texts.some((t) => t.includes('SES101'))
      && texts.some((t) => t.includes('SES104'));
  }, Math.min(TIMEOUT, 60_000));
  result.quickFix = fixTitle;
  console.log(`  quick fix applied: ${fixTitle}`);

  // The extension says which server it runs, on which Python, from where (its output channel).
  step('read the "SES LSP" output');
  result.output = await until('"Server started" in the "SES LSP" output', async () => {
    const lines = outputLines();
    return lines.some((line) => line.includes('Server started:')) ? lines : null;
  }, Math.min(TIMEOUT, 60_000));
  console.log(`  output:\n    ${result.output.filter((line) => /Server|bundled/.test(line)).join('\n    ')}`);

  if (opt['simulate-rules'] && opt['simulate-mail']) {
    // A rule set whose folder holds a routing test: code lenses count the test's mails per rule.
    step(`quick open ${opt['simulate-rules']}`);
    await until(`the editor with ${opt['simulate-rules']}`, async () => {
      if (await editorLines.first().isVisible() && (await editorLines.first().innerText()).includes('catch-all')) {
        return true;
      }
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(opt['simulate-rules']);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: opt['simulate-rules'].split('/').pop() }).first()
        .waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      await editorLines.first().waitFor({ state: 'visible', timeout: 10_000 });
      return (await editorLines.first().innerText()).includes('catch-all');
    });
    step('code lenses: routing-test mails per rule');
    const lenses = page.locator('.editor-group-container .monaco-editor .codelens-decoration');
    result.codeLenses = await until('code lenses "N of M routing-test mails reach this rule"', async () => {
      const texts = (await lenses.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())
        .filter((t) => /routing-test mails? reach/.test(t));
      return texts.length >= 2 ? texts : null;  // (the lenses in view: the first two rules')
    }, Math.min(TIMEOUT, 60_000));
    console.log(`  code lenses: ${result.codeLenses.join(' | ')}`);

    // The command: it asks for a mail file (VS Code's own file dialog, here the simple one) and
    // shows the server's trace in the "SES Simulation" output.
    step('SES: Simulate mail against this rule set');
    result.simulation = await until('the trace in the "SES Simulation" output', async () => {
      const lines = simulationLines();
      if (lines.some((line) => line.startsWith('recipient '))) return lines;
      await page.keyboard.press('Escape');
      await page.locator('.editor-group-container .monaco-editor').first().click({ position: { x: 300, y: 40 } });
      await page.keyboard.press('Control+Shift+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('>SES: Simulate mail against this rule set');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Simulate mail against this rule set' }).first()
        .waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      // The file dialog: a quick input holding a path; type the mail's and accept it.
      await page.waitForTimeout(1000);
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(opt['simulate-mail']);
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const now = simulationLines();
        if (now.some((line) => line.startsWith('recipient '))) return now;
        await page.waitForTimeout(500);
      }
      return null;
    }, Math.min(TIMEOUT, 90_000), 1000);
    console.log(`  simulation:\n    ${result.simulation.join('\n    ')}`);
  }

  // The README's image on the extension's details page (a webview). VS Code shows only https
  // images there; packaging links the image to the repository. No network here: the browser gets
  // the repository's file from this checkout, as the repository would serve it.
  step('open the extension\'s details page');
  if (opt['readme-image-url'] && opt['readme-image-file']) {
    await page.context().route(opt['readme-image-url'], (route) => route.fulfill({
      status: 200, contentType: 'image/png', body: readFileSync(opt['readme-image-file']),
    }));
  }
  const readmeAlt = 'Problems from ses-lsp in VS Code';
  result.readmeImage = await until('the README image on the extension\'s details page', async () => {
    for (const frame of page.frames()) {
      const images = await frame.evaluate((alt) => [...document.images]
        .filter((image) => image.alt.startsWith(alt))
        .map((image) => {
          image.scrollIntoView();
          return { src: image.src, complete: image.complete, width: image.naturalWidth, height: image.naturalHeight };
        }),
      readmeAlt).catch(() => []);
      if (images.length > 0 && images[0].complete && (images[0].width > 0 || !images[0].src)) return images[0];
    }
    // Open it (again): the Extensions view lists the installed extension; its entry opens the
    // details page.
    await page.keyboard.press('Escape');
    const entry = page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'SES LSP' }).first();
    if (!await entry.isVisible()) {
      await page.keyboard.press('Control+Shift+X');
    }
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.click({ timeout: 10_000 });
    await page.locator('.extension-editor').first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForTimeout(1500);
    return null;
  }, Math.min(TIMEOUT, 60_000), 1000);
  console.log(`  README image: ${JSON.stringify(result.readmeImage)}`);
  if (!(result.readmeImage.width > 0)) {
    throw new Error(`the README image on the details page did not load: ${JSON.stringify(result.readmeImage)}`);
  }
  if (opt['readme-screenshot']) {
    await page.screenshot({ path: opt['readme-screenshot'], timeout: 30_000 });
  }

  // A server program that does not exist: changing sesLsp.server.command restarts the server,
  // and the extension says what to do instead of failing silently.
  step('point sesLsp.server.command at a missing program');
  settings['sesLsp.server.command'] = ['/nonexistent/bin/ses-lsp', 'serve'];
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  const toasts = page.locator('.notifications-toasts .notification-toast');
  result.notFoundMessage = await until('the "ses-lsp was not found" notification', async () => {
    for (const text of await toasts.allInnerTexts()) {
      if (text.includes('ses-lsp was not found')) return text.replace(/\s+/g, ' ').trim();
    }
    return null;
  }, Math.min(TIMEOUT, 60_000));
  console.log(`  notification: ${result.notFoundMessage}`);
  if (!/clear sesLsp\.server\.command to use the ses-lsp bundled with the extension, or install it there \(pip install "git\+https:/.test(result.notFoundMessage)) {
    throw new Error(`the notification has no fix hint: ${result.notFoundMessage}`);
  }
  result.ok = true;
} catch (error) {
  result.error = error instanceof Error ? error.message : String(error);
  console.error(`  error: ${result.error}`);
  if (opt.artifacts && browser) {
    try {
      const page = browser.contexts()[0]?.pages()[0];
      if (page) {
        await page.screenshot({ path: join(opt.artifacts, 'failure.png'), timeout: 10_000 });
        writeFileSync(join(opt.artifacts, 'failure.html'), await page.content());
      }
    } catch {
      // best effort
    }
  }
} finally {
  result.seconds = Number(elapsed());
  writeFileSync(opt.result, JSON.stringify(result, null, 2) + '\n');
  try {
    await browser?.close();
  } catch {
    // the shell script kills Chromium by pid anyway
  }
  try {
    await server?.close();
  } catch {
    // idem
  }
}
process.exit(result.ok ? 0 : 1);
