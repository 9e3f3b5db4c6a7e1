// Key completion in the YAML editor: where the cursor is (from indentation alone, so it
// works on a half-typed, invalid file) and which keys the JSON Schema allows there.

/** A mapping key, or ITEM for "an entry of a list". */
export const ITEM = '[]';

export interface KeyContext {
  /** Keys from the document root down to the mapping the cursor is in. */
  path: string[];
  /** Offset in the text where the key being typed starts. */
  from: number;
  /** What has been typed of the key so far. */
  typed: string;
}

/**
 * The mapping a key typed at `offset` would belong to, or null when the cursor is not where
 * a key goes (inside a value, a comment or a flow collection).
 */
export function keyContextAt(text: string, offset: number): KeyContext | null {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const cursor = shapeOf(text.slice(lineStart, offset));
  const typed = /^[A-Za-z_][\w-]*$|^$/.test(cursor.content) ? cursor.content : null;
  if (typed === null) return null;

  // Walking up, the structure is either "a mapping with keys at column n" or "a list with
  // its dashes at column n"; each line to the left of it names its parent.
  const path: string[] = cursor.dashes > 0 ? new Array<string>(cursor.dashes).fill(ITEM) : [];
  let state: { kind: 'map' | 'list'; column: number } =
    cursor.dashes > 0 ? { kind: 'list', column: cursor.indent } : { kind: 'map', column: cursor.indent };
  const lines = text.slice(0, lineStart).split('\n');
  for (let index = lines.length - 2; index >= 0; index -= 1) {
    const line = lines[index]!.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const shape = shapeOf(line);
    if (state.kind === 'map') {
      if (shape.column > state.column) continue;
      if (shape.column === state.column && shape.dashes === 0) continue;
    } else {
      if (shape.column > state.column) continue;
      if (shape.dashes > 0 && shape.indent === state.column) continue;
    }
    const parent = state.kind === 'map' && shape.column === state.column ? null : blockKey(shape.content);
    if (state.kind === 'map' && shape.column === state.column) {
      // `- key: ...` level with the cursor: the cursor's mapping is that list entry.
      for (let k = 0; k < shape.dashes; k += 1) path.unshift(ITEM);
      state = { kind: 'list', column: shape.indent };
      continue;
    }
    if (parent === null) return null;
    path.unshift(parent);
    for (let k = 0; k < shape.dashes; k += 1) path.unshift(ITEM);
    state = shape.dashes > 0 ? { kind: 'list', column: shape.indent } : { kind: 'map', column: shape.column };
  }
  return { path, from: offset - typed.length, typed };
}

interface LineShape {
  indent: number;
  dashes: number;
  /** Where the content after indent and dashes starts. */
  column: number;
  content: string;
}

function shapeOf(line: string): LineShape {
  const match = /^( *)((?:- +|-$)*)(.*)$/.exec(line)!;
  const indent = match[1]!.length;
  return { indent, dashes: (match[2]!.match(/-/g) ?? []).length, column: indent + match[2]!.length, content: match[3]! };
}

/** The key of `key:` with nothing (or only a comment) after it: a line that opens a block. */
function blockKey(content: string): string | null {
  const key = /^([A-Za-z_][\w-]*|"[^"]*"|'[^']*')\s*:\s*(#.*)?$/.exec(content);
  return key ? unquote(key[1]!) : null;
}

function unquote(key: string): string {
  return /^["']/.test(key) ? key.slice(1, -1) : key;
}

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  enum?: unknown[];
}

export interface KeySuggestion {
  key: string;
  description?: string;
  type?: string;
}

/** The keys the schema names for the mapping at `path`; empty when it names none. */
export function keysAt(root: JsonSchema, path: readonly string[]): KeySuggestion[] {
  let current: JsonSchema[] = [root];
  for (const segment of path) {
    current = current.flatMap((schema) => alternatives(root, schema)).flatMap((schema) => {
      if (segment === ITEM) return schema.items ? [schema.items] : [];
      const child = schema.properties?.[segment];
      return child ? [child] : [];
    });
  }
  const seen = new Map<string, KeySuggestion>();
  for (const schema of current.flatMap((candidate) => alternatives(root, candidate))) {
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      if (seen.has(key)) continue;
      const resolved = alternatives(root, property)[0] ?? property;
      const type = Array.isArray(resolved.type) ? resolved.type.join(' | ') : resolved.type;
      seen.set(key, { key, ...(property.description ?? resolved.description ? { description: property.description ?? resolved.description } : {}), ...(type ? { type } : {}) });
    }
  }
  return [...seen.values()];
}

/** A schema with its $ref followed and its anyOf/oneOf/allOf branches listed. */
function alternatives(root: JsonSchema, schema: JsonSchema, depth = 0): JsonSchema[] {
  if (depth > 8) return [];
  if (schema.$ref) {
    const target = resolveRef(root, schema.$ref);
    return target ? alternatives(root, target, depth + 1) : [];
  }
  const branches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  return [schema, ...branches.flatMap((branch) => alternatives(root, branch, depth + 1))];
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (ref === '#') return root;
  const match = /^#\/\$defs\/(.+)$/.exec(ref);
  return match ? root.$defs?.[match[1]!] : undefined;
}
