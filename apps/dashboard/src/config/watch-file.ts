// Tells the config store the moment conf.yml changes on disk, so that the first request after
// a hand edit sees it (views rendered for the old version are then forgotten with it). Two
// watches, because edits arrive two ways:
// - the folder: editors and atomic saves write a new file and rename it over the old one;
// - the file itself: an edit in place, including one made through a bind mount of the file
//   alone (a container's folder watch never hears of those).
// Where the file system sends no events (some network mounts), the store's look at the disk
// once a second still notices the change.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface FileWatch {
  close(): void;
}

export function watchFile(dir: string, fileName: string, onChange: () => void): FileWatch {
  let closed = false;
  let fileWatcher: FSWatcher | null = null;

  const open = (path: string, listener: (name: string | null) => void): FSWatcher | null => {
    try {
      // Not persistent: a watch must never keep a stopping server alive.
      const watcher = watch(path, { persistent: false }, (_event, name) => listener(name === null ? null : String(name)));
      watcher.on('error', () => {
        watcher.close();
        if (!closed) onChange();
      });
      return watcher;
    } catch {
      return null;
    }
  };

  // A rename over the file leaves the old watch on a file that no longer has a name: watch
  // the new one.
  const watchTheFile = () => {
    fileWatcher?.close();
    fileWatcher = open(join(dir, fileName), () => onChange());
  };

  const folderWatcher = open(dir, (name) => {
    if (name !== null && name !== fileName) return;
    watchTheFile();
    onChange();
  });
  watchTheFile();

  return {
    close() {
      closed = true;
      folderWatcher?.close();
      fileWatcher?.close();
    },
  };
}
