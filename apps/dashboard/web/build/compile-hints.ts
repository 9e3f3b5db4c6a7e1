// V8 compiles a function the first time it runs. On a first visit, left lazy, that is about
// a third of the CPU time of the dashboard's first render, and it comes after /conf.yml has
// arrived. A magic comment on the entry chunk's first line asks V8 to compile the whole
// chunk with the script instead, on the streaming thread while the file downloads (V8's
// explicit compile hints; other engines ignore the comment). Only the entry chunk: the
// lazy ones load when they are needed.
import type { Plugin } from 'vite';

export const COMPILE_HINT = '//# allFunctionsCalledOnLoad';

export function compileEntryEagerly(): Plugin {
  return {
    name: 'hearth-compile-hints',
    apply: 'build',
    enforce: 'post',
    // Last: after minification, which would drop the comment, and after Vite puts its
    // preload map above the code; before the files are written.
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        for (const chunk of Object.values(bundle)) {
          if (chunk.type === 'chunk' && chunk.isEntry) chunk.code = `${COMPILE_HINT}\n${chunk.code}`;
        }
      },
    },
  };
}
