#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2: V8's young generation stops growing at 2 × 2 MB instead of
// 2 × 16 MB, which an idle server would otherwise keep resident. It applies when this file
// is run as a program (`hearth-dashboard`, `./bin/hearth-dashboard.js`); the Dockerfile and
// `npm start` pass the same option to node.
// The bundled program (scripts/bundle-program.mjs); dist/ beside it holds the same code per module.
import '../dist/program/main.js';
