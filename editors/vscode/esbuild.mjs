// Bundles the extension into out/extension.js (vscode-languageclient included, `vscode`
// external), and with --tests the unit tests into out/test/*.test.js for node's test runner.
//
//   node esbuild.mjs [--production] [--watch] [--tests]
import { readdirSync } from 'node:fs';
import { context } from 'esbuild';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
};

const options = args.has('--tests')
  ? {
      ...common,
      entryPoints: readdirSync('test').filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`),
      outdir: 'out/test',
      external: ['vscode'],
    }
  : {
      ...common,
      entryPoints: ['src/extension.ts'],
      outfile: 'out/extension.js',
      external: ['vscode'],
      // vscode-languageclient has its own main field for node; prefer it over "module".
      mainFields: ['main', 'module'],
    };

const ctx = await context(options);
if (args.has('--watch')) {
  await ctx.watch();
} else {
  await ctx.rebuild();
  await ctx.dispose();
}
