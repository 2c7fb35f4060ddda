// The replica's service worker, registered by the sensor on every page (scope
// /replica/, no fetch handler: it never stands between a page and the replica), as
// LinkedIn registers its own. A service worker is the browser's target, not the
// page's: no DevTools override reaches it (docs/security.md). It reports what it
// reads against what the page passed in its URL, as known differences (`residual`),
// never as a check.
self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) {
  var page = {};
  try { page = JSON.parse(decodeURIComponent(self.location.search.slice('?page='.length))); } catch (err) { /* none passed */ }
  var n = self.navigator, data = n.userAgentData, said = ' in a service worker', residual = [];
  var hints = data ? data.platform : null;
  var brands = data ? (data.brands || []).map(function (b) { return b.brand; }).join(', ') : '';
  var languages = Array.prototype.slice.call(n.languages || []);
  if (n.userAgent !== page.ua) residual.push('navigator.userAgent' + said + ' is ' + n.userAgent);
  if (n.platform !== page.platform) residual.push('navigator.platform' + said + ' is ' + n.platform);
  if (hints !== page.hints) residual.push('userAgentData.platform' + said + ' is ' + hints);
  if (brands !== page.brands) residual.push('the brands' + said + ' are ' + brands);
  if (languages.join() !== (page.languages || []).join()) residual.push('navigator.languages' + said + ' is ' + languages.join());
  var report = { page: 'service-worker-' + Date.now().toString(36), url: 'service worker', webdriver: n.webdriver === true,
    runtime_domain: false, residual: residual, languages: page.languages || [], user_agent: page.ua || '' };
  event.waitUntil(fetch('/replica/sensor', { method: 'POST', body: JSON.stringify(report),
    headers: { 'content-type': 'application/json' } }).catch(function () {}));
});
