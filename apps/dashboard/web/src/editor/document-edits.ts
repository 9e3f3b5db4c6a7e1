// The edits of edit mode, made on a yaml Document rather than on plain data: every node the
// edit does not touch keeps its comments, quoting, blank lines and keys Hearth does not know.
// Indices are positions in the file (the admin's unfiltered view).
import { isMap, isScalar, isSeq, YAMLSeq } from 'yaml';
import type { Document, YAMLMap } from 'yaml';

export interface ItemFields {
  title: string;
  description?: string;
  icon?: string;
  url?: string;
  target?: string;
  /** Unset: follow appConfig.statusCheck. */
  statusCheck?: boolean;
  tags?: string[];
  hotkey?: number;
}

export interface SectionFields {
  name: string;
  icon?: string;
}

/** The keys the item form edits, in the order Dashy's docs write them. */
export const ITEM_FORM_KEYS = ['title', 'description', 'icon', 'url', 'target', 'statusCheck', 'tags', 'hotkey'] as const;
const SECTION_FORM_KEYS = ['name', 'icon'] as const;

/** An edit that does not fit the document (a stale index, a section that is not a mapping). */
export class EditError extends Error {}

export interface SectionSummary {
  name: string;
  itemCount: number;
}

export function listSections(doc: Document): SectionSummary[] {
  const sections = sectionsSeq(doc, false);
  if (!sections) return [];
  return sections.items.map((node, index) => {
    const section = isMap(node) ? node : null;
    const name = section?.get('name');
    const items = section?.get('items');
    return {
      name: typeof name === 'string' || typeof name === 'number' ? String(name) : `Section ${index + 1}`,
      itemCount: isSeq(items) ? items.items.length : 0,
    };
  });
}

export function readItem(doc: Document, sectionIndex: number, itemIndex: number): ItemFields {
  const data = itemMap(doc, sectionIndex, itemIndex).toJS(doc) as Record<string, unknown>;
  return {
    title: typeof data.title === 'string' || typeof data.title === 'number' ? String(data.title) : '',
    ...stringField(data, 'description'),
    ...stringField(data, 'icon'),
    ...stringField(data, 'url'),
    ...stringField(data, 'target'),
    ...(typeof data.statusCheck === 'boolean' ? { statusCheck: data.statusCheck } : {}),
    ...(Array.isArray(data.tags) ? { tags: data.tags.map(String) } : {}),
    ...(typeof data.hotkey === 'number' ? { hotkey: data.hotkey } : {}),
  };
}

export function readSection(doc: Document, sectionIndex: number): SectionFields {
  const data = sectionMap(doc, sectionIndex).toJS(doc) as Record<string, unknown>;
  return { name: data.name === undefined || data.name === null ? '' : String(data.name), ...stringField(data, 'icon') };
}

function stringField<K extends string>(data: Record<string, unknown>, key: K): Partial<Record<K, string>> {
  const value = data[key];
  return typeof value === 'string' || typeof value === 'number' ? ({ [key]: String(value) } as Partial<Record<K, string>>) : {};
}

/** Appends an item to a section; answers its index. */
export function addItem(doc: Document, sectionIndex: number, fields: ItemFields): number {
  const items = itemsSeq(doc, sectionMap(doc, sectionIndex), true)!;
  const node = doc.createNode(formValues(fields, ITEM_FORM_KEYS)) as YAMLMap;
  flowTags(node);
  insertInto(items, node, items.items.length);
  return items.items.length - 1;
}

export function updateItem(doc: Document, sectionIndex: number, itemIndex: number, fields: ItemFields): void {
  assignFields(doc, itemMap(doc, sectionIndex, itemIndex), fields, ITEM_FORM_KEYS);
}

export function deleteItem(doc: Document, sectionIndex: number, itemIndex: number): void {
  itemMap(doc, sectionIndex, itemIndex);
  takeFrom(itemsSeq(doc, sectionMap(doc, sectionIndex), false)!, itemIndex);
}

export interface ItemPosition {
  sectionIndex: number;
  itemIndex: number;
}

/**
 * Moves an item; `to.itemIndex` is its index afterwards (clamped to the end). The node moves
 * whole, with the comment above it.
 */
export function moveItem(doc: Document, from: ItemPosition, to: ItemPosition): ItemPosition {
  const node = itemMap(doc, from.sectionIndex, from.itemIndex);
  const target = itemsSeq(doc, sectionMap(doc, to.sectionIndex), true)!;
  takeFrom(itemsSeq(doc, sectionMap(doc, from.sectionIndex), false)!, from.itemIndex);
  const index = Math.max(0, Math.min(to.itemIndex, target.items.length));
  insertInto(target, node, index);
  return { sectionIndex: to.sectionIndex, itemIndex: index };
}

export function addSection(doc: Document, fields: SectionFields): number {
  const sections = sectionsSeq(doc, true)!;
  insertInto(sections, doc.createNode(formValues(fields, SECTION_FORM_KEYS)) as YAMLMap, sections.items.length);
  return sections.items.length - 1;
}

export function updateSection(doc: Document, sectionIndex: number, fields: SectionFields): void {
  assignFields(doc, sectionMap(doc, sectionIndex), fields, SECTION_FORM_KEYS);
}

export function deleteSection(doc: Document, sectionIndex: number): void {
  sectionMap(doc, sectionIndex);
  takeFrom(sectionsSeq(doc, false)!, sectionIndex);
}

/** Moves a section to `to` (its index afterwards, clamped). */
export function moveSection(doc: Document, from: number, to: number): number {
  const node = sectionMap(doc, from);
  const sections = sectionsSeq(doc, false)!;
  takeFrom(sections, from);
  const index = Math.max(0, Math.min(to, sections.items.length));
  insertInto(sections, node, index);
  return index;
}

function sectionsSeq(doc: Document, create: boolean): YAMLSeq | null {
  const node = doc.get('sections', true);
  if (isSeq(node)) return node;
  if (node !== undefined && !(isScalar(node) && node.value === null)) {
    throw new EditError('"sections" is not a list in this file; fix it in the YAML editor');
  }
  if (!create) return null;
  const seq = new YAMLSeq(doc.schema);
  doc.set('sections', seq);
  return seq;
}

function sectionMap(doc: Document, sectionIndex: number): YAMLMap {
  const node = sectionsSeq(doc, false)?.items[sectionIndex];
  if (node === undefined) throw new EditError(`There is no section ${sectionIndex + 1} in this file; reload the page`);
  if (!isMap(node)) throw new EditError(`Section ${sectionIndex + 1} is not a mapping; fix it in the YAML editor`);
  return node;
}

function itemsSeq(doc: Document, section: YAMLMap, create: boolean): YAMLSeq | null {
  const node = section.get('items', true);
  if (isSeq(node)) return node;
  if (node !== undefined && !(isScalar(node) && node.value === null)) {
    throw new EditError('"items" of this section is not a list; fix it in the YAML editor');
  }
  if (!create) return null;
  const seq = new YAMLSeq(doc.schema);
  section.set('items', seq);
  return seq;
}

function itemMap(doc: Document, sectionIndex: number, itemIndex: number): YAMLMap {
  const node = itemsSeq(doc, sectionMap(doc, sectionIndex), false)?.items[itemIndex];
  if (node === undefined) throw new EditError(`There is no item ${itemIndex + 1} in section ${sectionIndex + 1}; reload the page`);
  if (!isMap(node)) throw new EditError(`Item ${itemIndex + 1} of section ${sectionIndex + 1} is not a mapping; fix it in the YAML editor`);
  return node;
}

/**
 * Removes an entry. The parser gives the comment above the first entry to the list itself;
 * here it belongs to that entry, and goes where the entry goes, as comments above the others do.
 */
function takeFrom(seq: YAMLSeq, index: number): void {
  const [node] = seq.items.splice(index, 1);
  if (index === 0 && seq.commentBefore && isMap(node)) {
    node.commentBefore = node.commentBefore ? `${seq.commentBefore}\n${node.commentBefore}` : seq.commentBefore;
    seq.commentBefore = undefined;
  }
}

function insertInto(seq: YAMLSeq, node: YAMLMap, index: number): void {
  // `items: []` written inline would put a whole item on one line; lists with content keep their style.
  if (seq.flow && seq.items.length === 0) seq.flow = false;
  else if (seq.flow) node.flow = true;
  const first = seq.items[0];
  if (index === 0 && seq.commentBefore && isMap(first)) {
    first.commentBefore = first.commentBefore ? `${seq.commentBefore}\n${first.commentBefore}` : seq.commentBefore;
    seq.commentBefore = undefined;
  }
  seq.items.splice(index, 0, node);
}

function flowTags(node: YAMLMap): void {
  const tags = node.get('tags', true);
  if (isSeq(tags)) tags.flow = true;
}

/** The set values of a form, in form order; empty strings and unset values are left out. */
function formValues<T extends object>(fields: T, keys: readonly (keyof T & string)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = fields[key];
    if (!isUnset(value)) out[key] = value;
  }
  return out;
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * Sets what the form changed and nothing else: an unchanged value keeps its node (and its
 * quoting and comments), a scalar keeps its style, a cleared field goes away.
 */
function assignFields<T extends object>(doc: Document, map: YAMLMap, fields: T, keys: readonly (keyof T & string)[]): void {
  for (const key of keys) {
    const value = fields[key];
    const current = map.get(key, true);
    const currentValue = current === undefined ? undefined : (map.toJS(doc) as Record<string, unknown>)[key];
    if (isUnset(value)) {
      if (current !== undefined && !isUnset(currentValue)) map.delete(key);
      continue;
    }
    if (JSON.stringify(currentValue) === JSON.stringify(value)) continue;
    if (isScalar(current) && !Array.isArray(value)) {
      current.value = value;
      continue;
    }
    const node = doc.createNode(value);
    if (isSeq(node) && (isSeq(current) ? current.flow : true)) node.flow = true;
    if (current !== undefined) map.set(key, node);
    else map.items.splice(insertionIndex(map, key, keys), 0, doc.createPair(key, node));
  }
}

/** A new key goes after the form keys that come before it (an icon after the name, not after the items). */
function insertionIndex(map: YAMLMap, key: string, keys: readonly string[]): number {
  const before = new Set(keys.slice(0, keys.indexOf(key)));
  const after = new Set(keys.slice(keys.indexOf(key) + 1));
  let index = -1;
  map.items.forEach((pair, position) => {
    if (isScalar(pair.key) && before.has(String(pair.key.value))) index = position;
  });
  if (index >= 0) return index + 1;
  const next = map.items.findIndex((pair) => isScalar(pair.key) && after.has(String(pair.key.value)));
  return next >= 0 ? next : map.items.length;
}
