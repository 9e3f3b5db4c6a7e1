/* global document */
// Opening a login link in a browser signs in at once; link previews (which run no scripts) do not.
document.getElementById('login-link')?.requestSubmit();
