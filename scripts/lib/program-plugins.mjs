// Changes made to packages as they go into a program's bundle (scripts/bundle-program.mjs),
// each to keep memory that an idle server would otherwise hold for nothing. Each one checks
// that the code it replaces is still there, so a new version of the package fails the build
// instead of being bundled unchanged.
import { isBuiltin } from 'node:module';

/**
 * The list in an English sentence ("a, b, and c"; "a or b"), as `Intl.ListFormat('en')` writes it.
 * Kept as source text: it is put into the bundle in place of the formatters below.
 */
export function englishList(items, word) {
  const list = [...items];
  return list.length < 3 ? list.join(` ${word} `) : `${list.slice(0, -1).join(', ')}, ${word} ${list.at(-1)}`;
}

const LIST_FORMATS = /const (conjunction|disjunction) = new Intl\.ListFormat\('en', \{ type: '\1' \}\);/g;

/**
 * oidc-provider builds two `Intl.ListFormat('en')` when it is imported, for its error messages.
 * The first `Intl.ListFormat` of a process has V8 check every locale ICU knows (about 960
 * resource bundles opened), which leaves about 6 MB resident: ICU's data pages and what was
 * allocated on the way. Its two lists (conjunction, disjunction) are written by `englishList`.
 */
export const oidcProviderListsWithoutIcu = {
  name: 'oidc-provider-lists-without-icu',
  transform: {
    filter: { id: /[\\/]oidc-provider[\\/]lib[\\/]helpers[\\/]formatters\.js$/ },
    handler(code, id) {
      const found = code.match(LIST_FORMATS) ?? [];
      if (found.length !== 2) throw new Error(`${id}: the two Intl.ListFormat('en') this build replaces are not there any more; see scripts/lib/program-plugins.mjs`);
      const replaced = code.replace(LIST_FORMATS, (_, type) => `const ${type} = { format: (items) => englishList(items, '${type === 'conjunction' ? 'and' : 'or'}') };`);
      return { code: `${replaced}\n${englishList.toString()}\n`, map: null };
    },
  },
};

const VIRTUAL_BUILTIN = '\0builtin:';
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * `import ... from 'node:http'` in an ES module makes Node.js build the module's namespace,
 * which reads every property of its exports, getters included: `http.WebSocket` loads undici
 * (Node's fetch, about 17 MB resident by itself), `crypto.webcrypto` loads Web Crypto,
 * `tls.rootCertificates` parses every root certificate. In the bundle, these modules are
 * taken as `process.getBuiltinModule(name)`, which is what `require` returns, and only the
 * names the code imports are read from it. Their getters are not exported (importing one by
 * name fails the build), so each runs only if the code reads it from the module object; the
 * getters listed here are cheap and exported.
 */
const MODULES_WITH_HEAVY_GETTERS = { 'node:http': ['maxHeaderSize', 'globalAgent'], 'node:crypto': [], 'node:tls': [] };

export const builtinsWithoutNamespaces = {
  name: 'builtins-without-namespaces',
  resolveId(source, importer, { kind }) {
    const name = source.startsWith('node:') ? source : `node:${source}`;
    if (kind !== 'import-statement' || !isBuiltin(source) || !(name in MODULES_WITH_HEAVY_GETTERS)) return null;
    return { id: `${VIRTUAL_BUILTIN}${name}`, moduleSideEffects: false };
  },
  load(id) {
    if (!id.startsWith(VIRTUAL_BUILTIN)) return null;
    const name = id.slice(VIRTUAL_BUILTIN.length);
    const names = Object.entries(Object.getOwnPropertyDescriptors(process.getBuiltinModule(name)))
      .filter(([key, descriptor]) => IDENTIFIER.test(key) && key !== 'default' && ('value' in descriptor || MODULES_WITH_HEAVY_GETTERS[name].includes(key)))
      .map(([key]) => key);
    return [
      `const builtin = process.getBuiltinModule(${JSON.stringify(name)});`,
      'const read = (key) => builtin[key];',
      'export default builtin;',
      // Pure: a name no code imports is dropped from the bundle, unread.
      ...names.map((key) => `export const ${key} = /* @__PURE__ */ read(${JSON.stringify(key)});`),
    ].join('\n');
  },
};

const EAGER_SERVER_MODULES = /^const (https|http2) = require\('node:(https|http2)'\)$/gm;

/**
 * Fastify requires `node:https` and `node:http2` when it is imported, for the servers it makes
 * only when `https` or `http2` is among its options (neither program asks for them; TLS ends
 * at the reverse proxy). Each is now required when it is first used.
 */
export const fastifyServerModulesOnFirstUse = {
  name: 'fastify-server-modules-on-first-use',
  transform: {
    filter: { id: /[\\/]fastify[\\/]lib[\\/]server\.js$/ },
    handler(code, id) {
      const found = code.match(EAGER_SERVER_MODULES) ?? [];
      if (found.length !== 2) throw new Error(`${id}: the requires of node:https and node:http2 this build defers are not there any more; see scripts/lib/program-plugins.mjs`);
      const replaced = code.replace(EAGER_SERVER_MODULES, (_, variable, module) => `let ${variable}Module; const ${variable} = { createServer: (...args) => (${variable}Module ??= require('node:${module}')).createServer(...args)${module === 'http2' ? `, createSecureServer: (...args) => (${variable}Module ??= require('node:${module}')).createSecureServer(...args)` : ''} }`);
      return { code: replaced, map: null };
    },
  },
};

const LEGAL_COMMENT = /\/\*![^]*?\*\//g;

/**
 * `charset: 'ascii'` escapes every character beyond ASCII except in comments, and the licence
 * comments the bundle keeps can hold names such as "Wärting". Node.js hands a source file
 * over 1 MB to V8 as a one-byte string only when all of it is ASCII; otherwise as two bytes per
 * character, so one such letter doubled what a 1.2 MB chunk holds resident. In those comments
 * a letter is written without its accent ("Warting"), or as `?`; one character for one, so
 * the source map stays right.
 */
export const asciiLegalComments = {
  name: 'ascii-legal-comments',
  generateBundle(options, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== 'chunk' || !/[^\0-\x7f]/.test(chunk.code)) continue;
      chunk.code = chunk.code.replace(LEGAL_COMMENT, (comment) =>
        comment.replace(/[^\0-\x7f]/gu, (letter) => {
          const plain = letter.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
          return plain.length === letter.length && /^[\0-\x7f]*$/.test(plain) ? plain : '?'.repeat(letter.length);
        }),
      );
    }
  },
};

const RESPONSE_CHECK = /\b(val|body) instanceof Response\b/g;

/**
 * Koa (oidc-provider's server) checks every body with `instanceof Response`, and reading the
 * global `Response` loads undici, Node's fetch, with HTTP/2 and TLS (about 17 MB resident),
 * at the provider's first answer. The check now asks first whether the body calls itself a
 * Response, as every fetch Response does; only then is the global read.
 */
export const koaResponseCheckWithoutUndici = {
  name: 'koa-response-check-without-undici',
  transform: {
    filter: { id: /[\\/]koa[\\/]lib[\\/](response|application)\.js$/ },
    handler(code, id) {
      if ((code.match(RESPONSE_CHECK) ?? []).length !== 1) throw new Error(`${id}: the instanceof Response check this build guards is not there any more; see scripts/lib/program-plugins.mjs`);
      return { code: code.replace(RESPONSE_CHECK, (_, name) => `(${name}?.[Symbol.toStringTag] === 'Response' && ${name} instanceof Response)`), map: null };
    },
  },
};
