/**
 * APP_URL, which the server writes into index.html: passkeys work only there, so the
 * sign-in screens compare it with where the page was actually opened.
 */
export const appUrl: string =
  document.querySelector<HTMLMetaElement>('meta[name="hearth-app-url"]')?.content || window.location.origin;

/** Why passkeys cannot work on this page, or null when they can. */
export function wrongAddress(): string | null {
  const expected = new URL(appUrl).origin;
  if (window.location.origin === expected && window.isSecureContext) return null;
  return `Passkeys only work at ${appUrl}; this page was opened at ${window.location.origin}`;
}
