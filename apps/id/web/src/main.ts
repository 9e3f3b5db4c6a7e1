import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { prefetchFirstScreen } from './lib/boot';

const firstScreen = prefetchFirstScreen(window.location.pathname);
// Mounting with the first screen's code at hand draws it at once, instead of a "Loading…" turn
// first; its chunk is preloaded beside this one, but a slow connection still gets "Loading…" soon.
const slow = new Promise<null>((resolve) => setTimeout(() => resolve(null), 300));
void Promise.race([firstScreen, slow]).then((first) => mount(App, { target: document.getElementById('app')!, props: { first } }));
