// The pieces of the HTTP edge that Hearth ID and the dashboard share, so that one piece of
// code serves both: the security headers worked out once, and the precompressed file sender.
export { addSecurityHeaders, securityHeaders } from './security-headers.js';
export { safeFilePath, staticFiles } from './static-files.js';
export type { SendStaticFile, StaticFilesOptions } from './static-files.js';
