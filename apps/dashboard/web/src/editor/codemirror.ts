// The YAML editor itself: CodeMirror 6 with YAML highlighting in the theme's colours, the
// server's parser as the linter, and key completion from the dashboard's JSON Schema.
import type { CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter, setDiagnostics } from '@codemirror/lint';
import type { Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import type { Text } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import { keyContextAt, keysAt } from './schema-keys';
import type { JsonSchema } from './schema-keys';
import type { ConfigIssue } from '../lib/types';

export interface LintedIssue extends ConfigIssue {
  severity: 'error' | 'warning';
}

export interface YamlEditorOptions {
  text: string;
  label: string;
  /** Runs on every change (debounced by the linter); answers what to show. */
  check: (text: string) => LintedIssue[];
  onChange: (text: string) => void;
  /** Ctrl/Cmd+S. */
  onReview: () => void;
  schema: () => JsonSchema | null;
}

export interface YamlEditor {
  text(): string;
  /** Shows issues that came from elsewhere (the server) until the next edit. */
  showIssues(issues: readonly LintedIssue[]): void;
  goTo(line: number, column?: number): void;
  focus(): void;
  destroy(): void;
}

const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--primary)', fontWeight: '600' },
  { tag: [tags.string, tags.special(tags.string), tags.content], color: 'var(--foreground)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom, tags.keyword], color: 'var(--success)' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: 'var(--muted-text)', fontStyle: 'italic' },
  { tag: [tags.meta, tags.punctuation, tags.separator, tags.squareBracket, tags.brace, tags.labelName, tags.typeName], color: 'var(--muted-text)' },
  { tag: tags.invalid, color: 'var(--danger)' },
]);

const theme = EditorView.theme({
  '&': { height: '100%', color: 'var(--foreground)', backgroundColor: 'var(--item-background)', fontSize: '0.9rem' },
  '&.cm-focused': { outline: '2px solid var(--focus-ring)', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: 'var(--font-mono)', lineHeight: '1.55' },
  '.cm-content': { caretColor: 'var(--foreground)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--foreground)' },
  '.cm-gutters': { backgroundColor: 'var(--background-darker)', color: 'var(--muted-text)', borderRight: '1px solid var(--item-border)' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--primary) 7%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--primary) 14%, transparent)', color: 'var(--foreground)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'color-mix(in srgb, var(--primary) 30%, transparent) !important',
  },
  '.cm-selectionMatch': { backgroundColor: 'color-mix(in srgb, var(--primary) 15%, transparent)' },
  '.cm-matchingBracket': { backgroundColor: 'color-mix(in srgb, var(--success) 25%, transparent)', outline: 'none' },
  '.cm-foldPlaceholder': { backgroundColor: 'var(--background-darker)', color: 'var(--muted-text)', border: '1px solid var(--item-border)' },
  '.cm-tooltip': { backgroundColor: 'var(--item-background)', color: 'var(--item-text)', border: '1px solid var(--item-border)', borderRadius: '6px' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--primary)', color: 'var(--background)' },
  '.cm-completionDetail': { color: 'inherit', opacity: '0.75', fontStyle: 'normal', marginLeft: '1em' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--danger)' },
  '.cm-panels': { backgroundColor: 'var(--background-darker)', color: 'var(--foreground)' },
  '.cm-panels input, .cm-panels button': { color: 'inherit' },
  '.cm-textfield': { backgroundColor: 'var(--item-background)', border: '1px solid var(--item-border)' },
  '.cm-button': { backgroundImage: 'none', backgroundColor: 'var(--item-background)', border: '1px solid var(--item-border)' },
});

export function toDiagnostics(doc: Text, issues: readonly LintedIssue[]): Diagnostic[] {
  return issues.map((issue) => {
    const line = doc.line(Math.min(Math.max(issue.line ?? 1, 1), doc.lines));
    const from = Math.min(line.from + Math.max((issue.column ?? 1) - 1, 0), line.to);
    // To the end of the line's text, so that the whole value is underlined.
    const to = Math.max(from, line.from + line.text.trimEnd().length);
    return {
      from,
      to,
      severity: issue.severity,
      message: `${issue.path ? `${issue.path}: ` : ''}${issue.message}`,
      source: 'conf.yml',
    };
  });
}

function completeKeys(schema: () => JsonSchema | null) {
  return (context: CompletionContext): CompletionResult | null => {
    const root = schema();
    if (!root) return null;
    const where = keyContextAt(context.state.doc.toString(), context.pos);
    if (!where || (where.typed === '' && !context.explicit)) return null;
    const keys = keysAt(root, where.path);
    if (keys.length === 0) return null;
    return {
      from: where.from,
      options: keys.map((key) => ({
        label: key.key,
        apply: `${key.key}: `,
        type: 'property',
        ...(key.type ? { detail: key.type } : {}),
        ...(key.description ? { info: key.description } : {}),
      })),
      validFor: /^[\w-]*$/,
    };
  };
}

export function createYamlEditor(parent: HTMLElement, options: YamlEditorOptions): YamlEditor {
  // One function for the editor's life: the completion state tells sources apart by identity.
  const keyCompletion = completeKeys(options.schema);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        basicSetup,
        yaml(),
        syntaxHighlighting(highlight),
        theme,
        EditorState.tabSize.of(2),
        EditorView.contentAttributes.of({ 'aria-label': options.label }),
        keymap.of([{ key: 'Mod-s', preventDefault: true, run: () => (options.onReview(), true) }]),
        EditorState.languageData.of(() => [{ autocomplete: keyCompletion }]),
        linter((editor) => toDiagnostics(editor.state.doc, options.check(editor.state.doc.toString())), { delay: 250 }),
        lintGutter(),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    text: () => view.state.doc.toString(),
    showIssues(issues) {
      view.dispatch(setDiagnostics(view.state, toDiagnostics(view.state.doc, issues)));
    },
    goTo(line, column = 1) {
      const target = view.state.doc.line(Math.min(Math.max(line, 1), view.state.doc.lines));
      const position = Math.min(target.from + Math.max(column - 1, 0), target.to);
      view.dispatch({ selection: { anchor: position }, effects: EditorView.scrollIntoView(position, { y: 'center' }) });
      view.focus();
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
