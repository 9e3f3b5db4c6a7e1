// oidc-provider prints "Unsupported runtime" once per test file on Node.js 20, which the
// project supports on purpose (docs/decisions/0002-node-20.md); keep test output readable.
const warn = console.warn;
console.warn = (...args) => {
  if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
  warn(...args);
};
