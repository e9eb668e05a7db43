// The page's side of the browser tests' bridge (bridge.mjs): what
// @tauri-apps/api calls in window.__TAURI_INTERNALS__, handed to the real
// app through a function the test exposes. Only the event listeners live
// here: the mock runtime has no webview to run the app's emit script in,
// so the test passes each emitted event back with window.__bryggaEvent.
(() => {
  const callbacks = new Map();
  const listeners = new Map();
  let nextId = 1;

  function emit(event, payload) {
    for (const l of listeners.get(event) ?? []) {
      callbacks.get(l.handler)?.({ event, id: l.id, payload });
    }
  }

  const local = {
    'plugin:event|listen': ({ event, handler }) => {
      const id = nextId++;
      if (!listeners.has(event)) listeners.set(event, []);
      listeners.get(event).push({ id, handler });
      return id;
    },
    'plugin:event|unlisten': ({ event, eventId }) => {
      listeners.set(event, (listeners.get(event) ?? []).filter((l) => l.id !== eventId));
      return null;
    },
  };

  window.__TAURI_INTERNALS__ = {
    metadata: { currentWindow: { label: 'main' }, currentWebview: { windowLabel: 'main', label: 'main' } },
    transformCallback(callback, once) {
      const id = nextId++;
      callbacks.set(id, (data) => {
        if (once) callbacks.delete(id);
        return callback?.(data);
      });
      return id;
    },
    unregisterCallback(id) {
      callbacks.delete(id);
    },
    convertFileSrc: (path) => path,
    async invoke(cmd, args = {}) {
      if (local[cmd]) return local[cmd](args);
      const answer = await window.__bryggaInvoke(cmd, args);
      if ('err' in answer) throw answer.err;
      return answer.ok;
    },
  };
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener: () => undefined };
  window.__bryggaEvent = ({ event, payload }) => emit(event, payload);
})();
