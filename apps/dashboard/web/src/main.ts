import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { boot } from './auth/session.svelte';

mount(App, { target: document.getElementById('app')! });
void boot();
