import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { boot } from './auth/session.svelte';

// The request for /conf.yml goes out first; the app mounts (its loading state) while it travels.
void boot();
mount(App, { target: document.getElementById('app')! });
