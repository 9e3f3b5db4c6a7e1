#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2: V8's young generation stops growing at 2 × 2 MB instead of
// 2 × 16 MB, which an idle server would otherwise keep resident. It applies when this file
// is run as a program (`hearth-dashboard`, `./bin/hearth-dashboard.js`); the Dockerfile and
// `npm start` pass the same option to node.
// Node.js's compile cache (in the system's temporary folder, or NODE_COMPILE_CACHE): a start
// after the first reads the program's compiled code instead of compiling it again, which is
// faster and leaves less of the compiler's memory behind. Where the folder is not writable,
// Node.js carries on without it.
import { enableCompileCache } from 'node:module';

enableCompileCache();
// The bundled program (scripts/bundle-program.mjs); dist/ beside it holds the same code per
// module. Imported after the cache is on, so that the cache covers it.
await import('../dist/program/main.js');
