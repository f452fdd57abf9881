'use strict';
// Helper for tests/test_schema_patterns.py: checks regular expressions in a real
// ECMA-262 engine with the 'u' flag (what JSON Schema tools use for "pattern").
//
// stdin:  {"patterns": [p, ...], "cases": [[p, s], ...]}
// stdout: {"errors": {p: message, ...}, "results": [true|false|null, ...]}
//   errors:  patterns that `new RegExp(p, 'u')` rejects, with the engine's message;
//   results: RegExp.prototype.test for each case, in order (null if p did not compile).

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const compiled = new Map();
  const errors = {};
  const compile = (p) => {
    if (compiled.has(p)) return compiled.get(p);
    let re = null;
    try {
      re = new RegExp(p, 'u');
    } catch (e) {
      errors[p] = String(e && e.message ? e.message : e);
    }
    compiled.set(p, re);
    return re;
  };
  for (const p of input.patterns || []) compile(p);
  const results = (input.cases || []).map(([p, s]) => {
    const re = compile(p);
    return re === null ? null : re.test(s);
  });
  process.stdout.write(JSON.stringify({ errors, results }));
});
