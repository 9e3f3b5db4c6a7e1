// The editor chunk's door: everything the main bundle asks of it (requestEdit) lands here.
import './forms.css';
import { tick } from 'svelte';
import { dashboard, reload } from '../lib/dashboard.svelte';
import { editMode } from '../lib/edit-mode.svelte';
import type { EditAction } from '../lib/edit-mode.svelte';
import { loadSource } from './config-files';
import ConfirmDialog from './ConfirmDialog.svelte';
import {
  addItem,
  addSection,
  deleteItem,
  deleteSection,
  listSections,
  moveItem,
  moveSection,
  readItem,
  readSection,
  updateItem,
  updateSection,
} from './document-edits';
import ItemDialog from './ItemDialog.svelte';
import MessageDialog from './MessageDialog.svelte';
import SectionDialog from './SectionDialog.svelte';
import { applyEdit, changes, currentSession, discard, end, resync, saveSession, sessionFor } from './session';
import type { Session } from './session';
import { restoreFocus, showDialog } from './show-dialog';

export async function openYamlEditor(file: string = dashboard.file): Promise<void> {
  editMode.busy = true;
  const loaded = await loadSource(file);
  editMode.busy = false;
  if (!loaded.ok) {
    await showDialog(MessageDialog, { title: 'Cannot open the editor', message: loaded.reason });
    return;
  }
  const pending = currentSession()?.file === file && editMode.pending > 0 ? currentSession() : null;
  // CodeMirror is most of the editor's weight; edit mode's forms do without it.
  const { default: YamlEditor } = await import('./YamlEditor.svelte');
  await showDialog(YamlEditor, {
    file,
    initialText: pending?.text ?? loaded.text,
    savedText: loaded.text,
    note: pending ? `This text includes ${changes(editMode.pending)} from edit mode.` : '',
    afterSave: async () => {
      if (currentSession()?.file === file) end();
      await reload();
    },
  });
}

export function startEditMode(): void {
  editMode.active = true;
}

export async function handleEditAction(action: EditAction): Promise<void> {
  try {
    await dispatch(action);
  } catch (error) {
    // A stale index (the file changed under the page) or a file that is not shaped as expected.
    await showDialog(MessageDialog, { title: 'That change is not possible', message: (error as Error).message });
  }
}

async function dispatch(action: EditAction): Promise<void> {
  switch (action.kind) {
    case 'open-yaml':
      return openYamlEditor(action.file);
    case 'start':
      return startEditMode();
    case 'stop':
      await discard();
      if (editMode.pending === 0) editMode.active = false;
      return;
    case 'save':
      return saveSession();
    case 'discard':
      return discard();
    case 'sync':
      return resync();
    default:
      return editInForms(action);
  }
}

type FormAction = Exclude<EditAction, { kind: 'open-yaml' | 'start' | 'stop' | 'save' | 'discard' | 'sync' }>;

async function editInForms(action: FormAction): Promise<void> {
  const session = await sessionFor(action.file);
  if (!session) return;
  const { file } = action;
  switch (action.kind) {
    case 'add-item': {
      const { sectionIndex } = action;
      await showDialog(ItemDialog, {
        mode: 'add',
        initial: { title: '' },
        sections: listSections(session.doc),
        sectionIndex,
        submit: (fields, target) => applyEdit(session, (doc) => addItem(doc, target, fields), `Added “${fields.title}”.`),
      });
      return;
    }
    case 'edit-item': {
      const { sectionIndex, itemIndex } = action;
      const before = readItem(session.doc, sectionIndex, itemIndex);
      let landed = { sectionIndex, itemIndex };
      await showDialog(
        ItemDialog,
        {
          mode: 'edit',
          initial: before,
          sections: listSections(session.doc),
          sectionIndex,
          submit: (fields, target) => {
            let position = { sectionIndex, itemIndex };
            const result = applyEdit(
              session,
              (doc) => {
                updateItem(doc, sectionIndex, itemIndex, fields);
                if (target !== sectionIndex) position = moveItem(doc, position, { sectionIndex: target, itemIndex: Number.MAX_SAFE_INTEGER });
              },
              target === sectionIndex ? `Changed “${fields.title}”.` : `Moved “${fields.title}” to ${listSections(session.doc)[target]?.name ?? 'another section'}.`,
            );
            if (result.ok) landed = position;
            return result;
          },
        },
        () => itemControl(file, landed.sectionIndex, landed.itemIndex, ['edit']),
      );
      return;
    }
    case 'move-item': {
      const { sectionIndex, itemIndex, by } = action;
      const { title } = readItem(session.doc, sectionIndex, itemIndex);
      const to = itemIndex + by;
      if (to < 0 || to >= (listSections(session.doc)[sectionIndex]?.itemCount ?? 0)) return;
      const result = applyEdit(session, (doc) => void moveItem(doc, { sectionIndex, itemIndex }, { sectionIndex, itemIndex: to }), `Moved “${title}” ${by < 0 ? 'up' : 'down'}.`);
      if (!result.ok) return refused(result.message ?? result.issues.map((issue) => issue.message).join('\n'));
      await restoreFocus(null, () => itemControl(file, sectionIndex, to, by < 0 ? ['up', 'down', 'edit'] : ['down', 'up', 'edit']));
      return;
    }
    case 'delete-item': {
      const { sectionIndex, itemIndex } = action;
      const { title } = readItem(session.doc, sectionIndex, itemIndex);
      const confirmed = await showDialog(ConfirmDialog, {
        title: `Delete “${title}”?`,
        message: `“${title}” is removed from ${listSections(session.doc)[sectionIndex]?.name ?? 'its section'}. Nothing is written until you save.`,
        confirmLabel: 'Delete',
        danger: true,
      });
      if (!confirmed) return;
      const result = applyEdit(session, (doc) => deleteItem(doc, sectionIndex, itemIndex), `Deleted “${title}”.`);
      if (!result.ok) return refused(result.message ?? result.issues.map((issue) => issue.message).join('\n'));
      await restoreFocus(null, () => itemControl(file, sectionIndex, Math.max(0, itemIndex - 1), ['edit']) ?? sectionControl(file, sectionIndex, ['add-item']));
      return;
    }
    case 'add-section':
      await showDialog(SectionDialog, {
        mode: 'add',
        initial: { name: '' },
        submit: (fields) => applyEdit(session, (doc) => void addSection(doc, fields), `Added the section “${fields.name}”.`),
      });
      return;
    case 'edit-section': {
      const { sectionIndex } = action;
      await showDialog(
        SectionDialog,
        {
          mode: 'edit',
          initial: readSection(session.doc, sectionIndex),
          submit: (fields) => applyEdit(session, (doc) => updateSection(doc, sectionIndex, fields), `Changed the section “${fields.name}”.`),
        },
        () => sectionControl(file, sectionIndex, ['edit']),
      );
      return;
    }
    case 'move-section': {
      const { sectionIndex, by } = action;
      const to = sectionIndex + by;
      const sections = listSections(session.doc);
      if (to < 0 || to >= sections.length) return;
      const name = sections[sectionIndex]?.name ?? '';
      const result = applyEdit(session, (doc) => void moveSection(doc, sectionIndex, to), `Moved the section “${name}” ${by < 0 ? 'up' : 'down'}.`);
      if (!result.ok) return refused(result.message ?? result.issues.map((issue) => issue.message).join('\n'));
      await restoreFocus(null, () => sectionControl(file, to, by < 0 ? ['up', 'down', 'edit'] : ['down', 'up', 'edit']));
      return;
    }
    case 'delete-section':
      return deleteSectionAsked(session, file, action.sectionIndex);
  }
}

async function deleteSectionAsked(session: Session, file: string, sectionIndex: number): Promise<void> {
  const section = listSections(session.doc)[sectionIndex];
  if (!section) return;
  const confirmed = await showDialog(ConfirmDialog, {
    title: `Delete the section “${section.name}”?`,
    message:
      section.itemCount > 0
        ? `The section and its ${section.itemCount} item${section.itemCount === 1 ? '' : 's'} are removed. Nothing is written until you save.`
        : 'The section is removed. Nothing is written until you save.',
    confirmLabel: 'Delete section',
    danger: true,
  });
  if (!confirmed) return;
  const result = applyEdit(session, (doc) => deleteSection(doc, sectionIndex), `Deleted the section “${section.name}”.`);
  if (!result.ok) return refused(result.message ?? result.issues.map((issue) => issue.message).join('\n'));
  await tick();
  await restoreFocus(null, () => sectionControl(file, Math.max(0, sectionIndex - 1), ['edit']) ?? document.querySelector<HTMLElement>('[data-edit="add-section"]'));
}

async function refused(message: string): Promise<void> {
  await showDialog(MessageDialog, { title: 'That change is not possible', message });
}

/** The first of `kinds` among an item's edit buttons, once the page has re-rendered. */
function itemControl(file: string, sectionIndex: number, itemIndex: number, kinds: readonly string[]): HTMLElement | null {
  return control(`[data-edit-item="${CSS.escape(`${file}|${sectionIndex}|${itemIndex}`)}"]`, kinds);
}

function sectionControl(file: string, sectionIndex: number, kinds: readonly string[]): HTMLElement | null {
  return control(`[data-edit-section="${CSS.escape(`${file}|${sectionIndex}`)}"]`, kinds);
}

function control(scope: string, kinds: readonly string[]): HTMLElement | null {
  for (const kind of kinds) {
    const found = document.querySelector<HTMLElement>(`${scope} [data-edit="${kind}"]`);
    if (found) return found;
  }
  return null;
}
