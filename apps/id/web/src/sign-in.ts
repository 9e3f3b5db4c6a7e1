import { mount } from 'svelte';
import './app.css';
import InteractionPage from './routes/interaction/InteractionPage.svelte';
import { carryInteraction } from './lib/page-data';

/**
 * The sign-in screen apps send people to (`/interaction/<uid>`), on its own page: Hearth ID
 * serves sign-in.html there, so the browser loads, compiles and runs this screen's code only,
 * not the whole app with its router, session state and route table. The screen is the app's
 * own (the app shows the same one at that path); every link it has leaves the page.
 */
function uidOf(path: string): string {
  const raw = /^\/interaction\/([^/]+)\/?$/.exec(path)?.[1] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // The server then answers that this sign-in request is unknown, and the screen says so.
  }
}

const uid = uidOf(window.location.pathname);
carryInteraction(uid);
mount(InteractionPage, { target: document.getElementById('app')!, props: { params: { uid } } });
