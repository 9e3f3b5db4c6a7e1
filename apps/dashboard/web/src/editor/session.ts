// Edit mode's working copy: the admin's file as a yaml Document, changed by the forms, shown
// on the page as it would look, and saved in one go. One file at a time.
import type { Document } from 'yaml';
import { dashboard, reload } from '../lib/dashboard.svelte';
import { editMode } from '../lib/edit-mode.svelte';
import type { DashyConfig } from '../lib/types';
import { toast } from '../lib/ui.svelte';
import { parseConfigText } from '../../../src/config/parse.js';
import { checkText, loadSource, warningsOf } from './config-files';
import type { ConfigIssue, SaveOutcome } from './config-files';
import ConfirmDialog from './ConfirmDialog.svelte';
import type { FormResult } from './form-errors';
import MessageDialog from './MessageDialog.svelte';
import SaveReview from './SaveReview.svelte';
import { showDialog } from './show-dialog';
import { parseSource, renderEdited } from './yaml-text';

export interface Session {
  file: string;
  /** The file as loaded: the diff, and the style of new lines, start from it. */
  original: string;
  savedWarnings: ConfigIssue[];
  doc: Document;
  text: string;
  /** The config this session last put on the page. */
  shown: DashyConfig | null;
}

let session: Session | null = null;

export function currentSession(): Session | null {
  return session;
}

/** The working copy of `file`, loaded when needed; null when the admin chose otherwise or it cannot be edited. */
export async function sessionFor(file: string): Promise<Session | null> {
  if (session?.file === file) return session;
  if (session && editMode.pending > 0) {
    const discard = await showDialog(ConfirmDialog, {
      title: 'Unsaved changes on another page',
      message: `You have ${changes(editMode.pending)} in ${session.file}. Discard them to edit ${file}? (To keep them, go back to that page and save.)`,
      confirmLabel: 'Discard them',
      cancelLabel: 'Keep them',
      danger: true,
    });
    if (!discard) return null;
    end();
  }
  editMode.busy = true;
  const loaded = await loadSource(file);
  editMode.busy = false;
  if (!loaded.ok) {
    await showDialog(MessageDialog, { title: 'Cannot edit this page', message: loaded.reason });
    return null;
  }
  const doc = parseSource(loaded.text);
  if (doc.errors.length > 0) {
    await showDialog(MessageDialog, {
      title: 'Cannot edit this page in forms',
      message: `${file} has YAML errors (${doc.errors[0]!.message.split('\n')[0]}). Fix them with "Edit config" first.`,
    });
    return null;
  }
  session = { file, original: loaded.text, savedWarnings: warningsOf(loaded.text), doc, text: loaded.text, shown: null };
  return session;
}

export function changes(count: number): string {
  return count === 1 ? '1 unsaved change' : `${count === 0 ? 'no' : count} unsaved changes`;
}

/**
 * Makes one change on a copy of the document and keeps it only when the server's rules accept
 * the result (no errors, no new warnings: what a save would refuse is refused here).
 */
export function applyEdit(current: Session, edit: (doc: Document) => void, message: string): FormResult {
  const doc = current.doc.clone();
  let text: string;
  try {
    edit(doc);
    text = renderEdited(doc, current.original);
  } catch (error) {
    // EditError (a stale index) or a change YAML cannot express.
    if (error instanceof Error) return { ok: false, message: error.message, issues: [] };
    throw error;
  }
  const check = checkText(text, current.savedWarnings);
  if (check.errors.length > 0 || check.newWarnings.length > 0) return { ok: false, issues: [...check.errors, ...check.newWarnings] };
  if (text === current.text) return { ok: true };
  current.doc = doc;
  current.text = text;
  // Back where the file is: nothing is waiting to be saved, whatever happened in between.
  editMode.pending = text === current.original ? 0 : editMode.pending + 1;
  editMode.file = current.file;
  const left = changes(editMode.pending);
  editMode.message = `${message} ${left.charAt(0).toUpperCase()}${left.slice(1)}.`;
  show(current);
  guardUnload(editMode.pending > 0);
  return { ok: true };
}

/** Puts the working copy's sections on the page (the rest of the page is the saved file). */
export function show(current: Session): void {
  if (dashboard.file !== current.file) return;
  const parsed = parseConfigText(current.text);
  if (!parsed.ok) return;
  dashboard.config = { ...dashboard.config, sections: (parsed.config.sections ?? []) as DashyConfig['sections'] };
  current.shown = dashboard.config;
}

/** The page was rendered again from the server (navigation, a reload): show the pending changes again. */
export function resync(): void {
  if (session && editMode.pending > 0 && dashboard.config !== session.shown) show(session);
}

export function end(): void {
  session = null;
  editMode.pending = 0;
  editMode.file = null;
  guardUnload(false);
}

export async function discard(): Promise<void> {
  if (!session || editMode.pending === 0) {
    end();
    return;
  }
  const confirmed = await showDialog(ConfirmDialog, {
    title: 'Discard your changes?',
    message: `Forget ${changes(editMode.pending)} to ${session.file}? The file stays as it was saved.`,
    confirmLabel: 'Discard changes',
    cancelLabel: 'Keep them',
    danger: true,
  });
  if (!confirmed) return;
  end();
  editMode.message = 'Changes discarded.';
  await reload();
}

/** Edit mode's Save: the diff against the file as it is now, then the save. */
export async function saveSession(): Promise<void> {
  const current = session;
  if (!current || editMode.pending === 0) {
    editMode.message = 'There is nothing to save.';
    return;
  }
  editMode.busy = true;
  const latest = await loadSource(current.file);
  editMode.busy = false;
  const savedText = latest.ok ? latest.text : current.original;
  const outcome = await showDialog(SaveReview, {
    file: current.file,
    savedText,
    text: current.text,
    baseChanged: latest.ok && latest.text !== current.original,
  });
  if (!outcome) return;
  end();
  editMode.active = false;
  await announceSaved(outcome);
}

/** After any successful save: the page shows the file as saved, and the admin hears what happened. */
export async function announceSaved(outcome: Extract<SaveOutcome, { ok: true }>): Promise<void> {
  const message = `Saved${outcome.backup ? ` (backup: ${outcome.backup})` : ''}.`;
  editMode.message = message;
  await reload();
  toast(message, 'success', 8000);
  if (outcome.restartRequired) toast('Restart the dashboard server for the sign-in change to take effect.', 'success', 15000);
}

const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
let guarding = false;

/** Leaving the page with unsaved edits asks first, as the browser allows. */
function guardUnload(on: boolean): void {
  if (on === guarding) return;
  guarding = on;
  if (on) window.addEventListener('beforeunload', onBeforeUnload);
  else window.removeEventListener('beforeunload', onBeforeUnload);
}
