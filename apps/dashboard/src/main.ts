// Entry point of the `hearth-dashboard` bin; kept apart from cli.ts so importing the CLI
// (in tests) does not start a server.
import { main } from './cli.js';

await main();
