// Edit mode's state in the main bundle: a few fields the header, the bar and the edit
// controls read. Everything heavy (yaml, CodeMirror, the forms) is in the editor chunk,
// loaded the first time an admin asks for it.
import type * as EditorChunk from '../editor/open';
import { toast } from './ui.svelte';

export type EditAction =
  | { kind: 'open-yaml'; file: string }
  | { kind: 'start' }
  | { kind: 'stop' }
  | { kind: 'add-item'; file: string; sectionIndex: number }
  | { kind: 'edit-item'; file: string; sectionIndex: number; itemIndex: number }
  | { kind: 'move-item'; file: string; sectionIndex: number; itemIndex: number; by: -1 | 1 }
  | { kind: 'delete-item'; file: string; sectionIndex: number; itemIndex: number }
  | { kind: 'add-section'; file: string }
  | { kind: 'edit-section'; file: string; sectionIndex: number }
  | { kind: 'move-section'; file: string; sectionIndex: number; by: -1 | 1 }
  | { kind: 'delete-section'; file: string; sectionIndex: number }
  | { kind: 'save' }
  | { kind: 'discard' }
  /** The page re-rendered from the server while changes are pending: show them again. */
  | { kind: 'sync' };

export const editMode = $state({
  active: false,
  /** Edits made in edit mode and not saved yet. */
  pending: 0,
  /** The file those edits belong to. */
  file: null as string | null,
  /** The editor chunk is loading or a request is on its way. */
  busy: false,
  /** The last thing that happened, read out by screen readers in the edit mode bar. */
  message: '',
});

type EditorModule = typeof EditorChunk;
let editor: Promise<EditorModule> | null = null;

/** Loads the editor chunk once; a failed load can be tried again. */
export function loadEditor(): Promise<EditorModule> {
  editor ??= import('../editor/open').catch((error: unknown) => {
    editor = null;
    throw error;
  });
  return editor;
}

export async function requestEdit(action: EditAction): Promise<void> {
  if (action.kind === 'start' && !editMode.active) {
    editMode.active = true;
    editMode.message = 'Edit mode on';
    // Warm the chunk so that the first form opens at once.
    void loadEditor().catch(() => undefined);
    return;
  }
  if (action.kind === 'stop' && editMode.pending === 0) {
    editMode.active = false;
    editMode.message = 'Edit mode off';
    return;
  }
  let module: EditorModule;
  if (editor === null) editMode.busy = true;
  try {
    module = await loadEditor();
  } catch (error) {
    editMode.message = `The editor could not be loaded (${(error as Error).message}). Check the connection and try again.`;
    toast(editMode.message, 'error', 8000);
    return;
  } finally {
    editMode.busy = false;
  }
  await module.handleEditAction(action);
}
