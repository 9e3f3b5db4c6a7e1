import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { prefetchFirstScreen } from './lib/boot';

prefetchFirstScreen(window.location.pathname);
mount(App, { target: document.getElementById('app')! });
