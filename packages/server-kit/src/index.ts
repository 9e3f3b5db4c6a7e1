// The pieces of the HTTP edge that Hearth ID and the dashboard share, so that one piece of
// code serves both: the security headers worked out once, the precompressed file sender, and
// where an app's own files are wherever its code was built to.
export { packageRoot } from './package-root.js';
export { addSecurityHeaders, securityHeaders } from './security-headers.js';
export { safeFilePath, staticFiles } from './static-files.js';
export type { SendStaticFile, StaticFilesOptions } from './static-files.js';
