// Service worker of the participant page (issue 20; served at /sw.js so that its scope covers / and /s/<code>).
// Network first, so that a page online is always the hub's current one; when the hub cannot be reached, the
// participant shell (the page, its modules, styles and icons) and the plugin modules come from the cache, and
// the page shows that it is offline. Only GET requests for the shell (/, /s/…, /web/…) and plugin files
// (/plugins/…) are touched: the API, the WebSocket and the facilitator pages go to the network as before.
// Browsers run service workers only over HTTPS or on localhost (docs/OPERATIONS.md, "Offline loading").
const CACHE = 'hub-shell-v1';
const SHELL = [
  '/web/index.html', '/web/participant.js', '/web/participant-offline.js', '/web/i18n.js', '/web/hub-client.js', '/web/shell.js',
  '/web/tokens.css', '/web/base.css', '/web/icons.css', '/web/favicon.svg',
  '/web/components/index.js', '/web/components/base.js', '/web/components/components.css',
  '/web/components/hub-banner.js', '/web/components/hub-status.js', '/web/components/hub-button.js',
  '/web/components/hub-card.js', '/web/components/hub-timer.js', '/web/components/hub-progress.js',
  '/web/components/hub-bar-chart.js', '/web/components/hub-scale-chart.js', '/web/components/hub-word-cloud.js',
  '/web/components/hub-qr.js',
  '/web/icons/wifi-off.svg', '/web/icons/clock.svg', '/web/icons/lock.svg', '/web/icons/door.svg', '/web/icons/x.svg',
  '/web/icons/alert.svg', '/web/icons/check.svg', '/web/icons/refresh.svg',
];
/** Every participant page URL is the same file. */
const PAGE = '/web/index.html';

self.addEventListener('install', (event) => {
  // One missing file must not keep the worker from installing: each is cached on its own.
  event.waitUntil(caches.open(CACHE).then((c) => Promise.all(SHELL.map((u) => c.add(u).catch(() => undefined)))).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('hub-shell-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function handled(url) {
  if (url.origin !== self.location.origin) return null;
  const p = url.pathname;
  if (p === '/' || p === '/index.html' || /^\/s\/[^/]+\/?$/.test(p)) return PAGE;
  if (p.startsWith('/web/') || p.startsWith('/plugins/')) return url.pathname;
  return null;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  const key = handled(url);
  if (!key) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(req);
      if (res.ok && res.type === 'basic') cache.put(key, res.clone()).catch(() => undefined);
      return res;
    } catch (e) {
      const hit = await cache.match(key);
      if (hit) return hit;
      throw e;
    }
  })());
});

// The page sends the same-origin files it loaded before this worker controlled it (its first visit):
// plugin modules and their imports among them.
self.addEventListener('message', (event) => {
  const urls = Array.isArray(event.data?.cache) ? event.data.cache : [];
  event.waitUntil(caches.open(CACHE).then((c) => Promise.all(urls.map((u) => {
    let url;
    try { url = new URL(u, self.location.origin); } catch { return undefined; }
    const key = handled(url);
    if (!key || key === PAGE) return undefined;
    return c.match(key).then((hit) => hit || c.add(key).catch(() => undefined));
  }))));
});
