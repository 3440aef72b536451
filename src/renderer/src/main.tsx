import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { useKeyport } from './store';
import './styles.css';
import './layout.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
// The first screen's data, asked for before the first render: the preload started app.bootstrap
// before this script loaded, so its answer is usually here already, and the store holds it
// (a few microtasks) before React's first render (a task). The window then draws once, complete,
// instead of an empty shell first and the servers a frame later.
void useKeyport.getState().load();
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
