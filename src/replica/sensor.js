// The replica's automation sensor: what a site's anti-automation script can check
// about the browser that drives it (shared/reference/automation-tells.md), run in
// the page's own world, first on every page, and reported to the replica
// (POST /replica/sensor). A person's browser trips none of it. It also loads the
// published BotD (npm @fingerprintjs/botd) when the replica has it and reports its
// verdict.
(function () {
  'use strict';
  var OWN = location.origin + '/';
  var SELF = '/replica/static/sensor.js';
  var report = {
    page: Math.random().toString(36).slice(2) + Date.now().toString(36),
    url: location.pathname + location.search,
    webdriver: false,
    runtime_domain: false,
    dom_marks: [],
    foreign_calls: [],
    untrusted_events: [],
    text_without_keys: 0,
    clicks: 0,
    clicks_without_path: 0,
    identity: [],
    residual: [],
    languages: Array.prototype.slice.call(navigator.languages || []),
    user_agent: navigator.userAgent,
    botd: null,
    botd_error: null
  };
  var timer = null;
  // the sensor's own DOM reading is not the page's API use
  var quiet = false;
  function sensorDoes(fn) {
    var was = quiet;
    quiet = true;
    try { return fn(); } finally { quiet = was; }
  }
  function send(beacon) {
    timer = null;
    var body = JSON.stringify(report);
    try {
      // a beacon sent as the page closes may leave after the tab's override is gone
      // (docs/security.md): the replica lists what its headers say apart
      if (beacon && navigator.sendBeacon) { navigator.sendBeacon('/replica/sensor?beacon', body); return; }
      fetch('/replica/sensor', { method: 'POST', body: body, keepalive: true,
        headers: { 'content-type': 'application/json' } }).catch(function () {});
    } catch (err) { /* the page is going away */ }
  }
  function schedule() { if (!timer) timer = setTimeout(send, 150); }
  function add(list, item) {
    if (list.indexOf(item) < 0 && list.length < 20) { list.push(item); schedule(); }
  }
  var native = {
    defineProperty: Object.defineProperty,
    getOwnPropertyDescriptor: Object.getOwnPropertyDescriptor,
    debug: console.debug
  };

  // 1. the automation flag: true, or tampered with (missing from the prototype, or
  // redefined on navigator itself)
  function checkWebdriver() {
    var onProto = native.getOwnPropertyDescriptor(Navigator.prototype, 'webdriver');
    var own = native.getOwnPropertyDescriptor(navigator, 'webdriver');
    if (navigator.webdriver === true || !onProto || own) report.webdriver = true;
  }

  // 2. the Runtime domain: with it on, DevTools serialises console arguments, and
  // an Error's `name` getter is read a second time within one console.debug call
  function probeRuntime() {
    var reads = 0;
    var e = new Error('sensor');
    native.defineProperty(e, 'name', { configurable: true, get: function () { reads++; return 'Error'; } });
    native.debug.call(console, e);
    if (reads >= 2 && !report.runtime_domain) { report.runtime_domain = true; schedule(); }
  }

  // 3. marks in the DOM: attributes and custom elements that appear but were never
  // in the served page (its markup and its templates) nor are ones pages toggle
  var knownAttrs = {}, knownTags = {};
  ['class', 'style', 'id', 'hidden', 'open', 'value', 'checked', 'selected', 'disabled', 'role',
   'tabindex', 'href', 'src', 'type', 'name', 'for', 'title', 'data-testid'].forEach(function (a) { knownAttrs[a] = true; });
  function learn(root) {
    var all = root.querySelectorAll('*');
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      knownTags[el.localName] = true;
      for (var j = 0; j < el.attributes.length; j++) knownAttrs[el.attributes[j].name] = true;
      if (el.content && el.content.querySelectorAll) learn(el.content);
      if (el.shadowRoot) learn(el.shadowRoot);
    }
  }
  // the page's own writes teach the sensor what the page itself puts in its DOM
  function learnWrite(name) { if (!quiet && !foreignCaller()) knownAttrs[name] = true; }
  function afterOwnHtml(el) { if (!quiet && !foreignCaller()) { sensorDoes(function () { learn(el); }); } }
  ['setAttribute', 'setAttributeNS', 'toggleAttribute'].forEach(function (name) {
    var original = Element.prototype[name];
    Element.prototype[name] = function () {
      learnWrite(String(arguments[name === 'setAttributeNS' ? 1 : 0]).toLowerCase());
      return original.apply(this, arguments);
    };
  });
  [[Element.prototype, 'innerHTML'], [ShadowRoot.prototype, 'innerHTML'], [Element.prototype, 'outerHTML']].forEach(function (p) {
    var d = native.getOwnPropertyDescriptor(p[0], p[1]);
    if (!d || !d.set) return;
    native.defineProperty(p[0], p[1], { configurable: true, enumerable: d.enumerable, get: d.get, set: function (v) {
      var parent = this.parentNode;
      d.set.call(this, v);
      afterOwnHtml(p[1] === 'outerHTML' ? parent || document : this);
    } });
  });
  var insertHtml = Element.prototype.insertAdjacentHTML;
  Element.prototype.insertAdjacentHTML = function () {
    var out = insertHtml.apply(this, arguments);
    afterOwnHtml(this.parentNode || this);
    return out;
  };
  function attrKnown(name) { return knownAttrs[name] || name.indexOf('aria-') === 0; }
  function inspectAdded(node) {
    if (node.nodeType !== 1) return;
    var els = [node].concat(Array.prototype.slice.call(node.querySelectorAll('*')));
    els.forEach(function (el) {
      if (el.localName.indexOf('-') > 0 && !knownTags[el.localName]) add(report.dom_marks, 'element ' + el.localName);
      for (var j = 0; j < el.attributes.length; j++) {
        if (!attrKnown(el.attributes[j].name)) add(report.dom_marks, 'attribute ' + el.attributes[j].name);
      }
    });
  }
  var observed = [];
  function watch(root) {
    if (observed.indexOf(root) >= 0) return;
    observed.push(root);
    new MutationObserver(function (records) {
      sensorDoes(function () { records.forEach(function (r) {
        if (r.type === 'attributes' && !attrKnown(r.attributeName)) add(report.dom_marks, 'attribute ' + r.attributeName);
        if (r.type === 'childList') Array.prototype.forEach.call(r.addedNodes, inspectAdded);
      }); });
    }).observe(root, { subtree: true, childList: true, attributes: true });
  }
  // a shadow root attached later is watched too
  var attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function () {
    var root = attach.apply(this, arguments);
    if (root.mode === 'open') watch(root);
    return root;
  };

  // 4. page APIs called from code that is not the page's: the first frame below
  // the wrapper that is not the sensor's names a script of this origin, or it is foreign
  function foreignCaller() {
    var lines = String((new Error()).stack || '').split('\n').slice(1);
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      // the sensor's frames, and built-ins (`at Array.forEach (<anonymous>)`)
      if (line.indexOf(SELF) >= 0 || /\(<anonymous>\)\s*$/.test(line)) continue;
      return line.indexOf(OWN) < 0;
    }
    return false;
  }
  function wrap(owner, name, label) {
    var original = owner[name];
    if (typeof original !== 'function') return;
    var wrapped = function () {
      if (!quiet && foreignCaller()) add(report.foreign_calls, label);
      return original.apply(this, arguments);
    };
    native.defineProperty(owner, name, { configurable: true, writable: true, value: wrapped });
  }
  [[Document.prototype, 'querySelectorAll', 'document.querySelectorAll'],
   [Document.prototype, 'querySelector', 'document.querySelector'],
   [Document.prototype, 'getElementById', 'document.getElementById'],
   [Document.prototype, 'createTreeWalker', 'document.createTreeWalker'],
   [DocumentFragment.prototype, 'querySelectorAll', 'shadowRoot.querySelectorAll'],
   [Element.prototype, 'querySelectorAll', 'element.querySelectorAll'],
   [Element.prototype, 'querySelector', 'element.querySelector'],
   [Element.prototype, 'getBoundingClientRect', 'element.getBoundingClientRect'],
   [Element.prototype, 'getClientRects', 'element.getClientRects'],
   [Element.prototype, 'closest', 'element.closest'],
   [Element.prototype, 'getAttribute', 'element.getAttribute'],
   [window, 'getComputedStyle', 'getComputedStyle']].forEach(function (w) { wrap(w[0], w[1], w[2]); });

  // 5. untrusted events (the page's own synthetic events apart), 6. text without
  // key presses, 7. clicks without a mouse path
  var ownEvents = new WeakSet();
  var dispatch = EventTarget.prototype.dispatchEvent;
  EventTarget.prototype.dispatchEvent = function (event) {
    if (!foreignCaller()) ownEvents.add(event);
    return dispatch.apply(this, arguments);
  };
  ['click', 'mousedown', 'mouseup', 'keydown', 'keyup', 'input', 'change', 'submit'].forEach(function (type) {
    document.addEventListener(type, function (e) {
      if (!e.isTrusted && !ownEvents.has(e)) add(report.untrusted_events, type);
    }, true);
  });
  var keyed = false, moves = 0;
  document.addEventListener('keydown', function (e) { if (e.isTrusted) keyed = true; }, true);
  document.addEventListener('input', function (e) {
    if (e.isTrusted && /^insert/.test(e.inputType || '') && !keyed) { report.text_without_keys++; schedule(); }
    keyed = false;
  }, true);
  document.addEventListener('mousemove', function (e) { if (e.isTrusted) moves++; }, true);
  document.addEventListener('mousedown', function (e) {
    if (!e.isTrusted) return;
    report.clicks++;
    if (moves < 3) report.clicks_without_path++;
    moves = 0;
    schedule();
  }, true);

  // 8. one identity: the user agent's system against navigator.platform and the
  // client hints, and Chrome's brand where the string claims Chrome off Linux
  function os(text) {
    return /Win/.test(text) ? 'Windows' : /Mac/.test(text) ? 'macOS' : /Android/.test(text) ? 'Android'
      : /Linux|X11|CrOS/.test(text) ? 'Linux' : '';
  }
  // where a finding is: the page, or the sensor's cross-site frame
  var WHERE = window !== window.top ? ' in a cross-site frame' : '';
  function checkIdentity() {
    var ua = navigator.userAgent, claimed = os(ua);
    if (claimed && os(navigator.platform) && os(navigator.platform) !== claimed) {
      add(report.identity, 'navigator.platform is ' + navigator.platform + WHERE);
    }
    // the language: Intl's locale against navigator.language (the request's
    // Accept-Language is compared by the replica)
    // a list a person's browser never shows: a header's weights in it ("en;q=0.9")
    (navigator.languages || []).forEach(function (l) {
      if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l)) add(report.identity, 'navigator.languages holds ' + l + WHERE);
    });
    var intl = String(Intl.DateTimeFormat().resolvedOptions().locale || '').split('-')[0];
    var lang = String(navigator.language || '').split('-')[0];
    if (intl && lang && intl !== lang) add(report.identity, 'Intl locale is ' + intl + ', navigator.language ' + navigator.language + WHERE);
    var data = navigator.userAgentData;
    if (!data) return;
    if (claimed && os(data.platform) !== claimed) add(report.identity, 'userAgentData.platform is ' + data.platform + WHERE);
    var brands = (data.brands || []).map(function (b) { return b.brand; });
    if (/Chrome\//.test(ua) && !/Edg\/|OPR\//.test(ua) && (claimed === 'Windows' || claimed === 'macOS') &&
        brands.indexOf('Google Chrome') < 0) {
      add(report.identity, 'no Google Chrome brand' + WHERE);
    }
  }

  // 9. the same identity in a worker the page starts: its navigator against the
  // page's, and its own requests' headers (compared by the replica against the
  // page's languages and user agent); reported as a page of its own
  function checkWorker() {
    if (typeof Worker !== 'function' || typeof Blob !== 'function') return;
    var seen = { to: OWN + 'replica/sensor', page: report.page + '-worker', url: 'worker of ' + report.url, ua: navigator.userAgent,
      platform: navigator.platform, languages: report.languages,
      hints: navigator.userAgentData ? navigator.userAgentData.platform : null };
    try {
      var code = '(' + workerSensor.toString() + ')(' + JSON.stringify(seen) + ');';
      new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
    } catch (err) { /* no worker here: nothing to compare */ }
  }
  // runs in the worker: self-contained (it is sent as text)
  function workerSensor(seen) {
    var n = self.navigator, found = [], residual = [], said = ' in a worker';
    function os(text) {
      return /Win/.test(text) ? 'Windows' : /Mac/.test(text) ? 'macOS' : /Android/.test(text) ? 'Android'
        : /Linux|X11|CrOS/.test(text) ? 'Linux' : '';
    }
    var claimed = os(n.userAgent), data = n.userAgentData;
    var hints = data ? data.platform : null;
    var languages = Array.prototype.slice.call(n.languages || []);
    // against the page
    if (n.userAgent !== seen.ua) found.push('navigator.userAgent' + said + ' is ' + n.userAgent);
    if (languages.join() !== seen.languages.join()) found.push('navigator.languages' + said + ' is ' + languages.join());
    if (hints !== seen.hints) found.push('userAgentData.platform' + said + ' is ' + hints);
    // against its own user agent
    if (data && claimed && os(hints) !== claimed) found.push('userAgentData.platform' + said + ' is ' + hints);
    var brands = data ? (data.brands || []).map(function (b) { return b.brand; }) : [];
    if (data && /Chrome\//.test(n.userAgent) && !/Edg\/|OPR\//.test(n.userAgent) &&
        (claimed === 'Windows' || claimed === 'macOS') && brands.indexOf('Google Chrome') < 0) {
      found.push('no Google Chrome brand' + said);
    }
    // no DevTools override reaches a worker's navigator.platform (docs/security.md):
    // the host's shows there beside another system's user agent; listed apart
    if ((claimed && os(n.platform) && os(n.platform) !== claimed) || n.platform !== seen.platform) {
      residual.push('navigator.platform' + said + ' is ' + n.platform);
    }
    var report = { page: seen.page, url: seen.url, webdriver: n.webdriver === true, runtime_domain: false,
      identity: found.filter(function (f, i) { return found.indexOf(f) === i; }), residual: residual,
      languages: seen.languages, user_agent: seen.ua };
    // a blob worker's own URL is no base for a path: the page's origin is
    fetch(seen.to, { method: 'POST', body: JSON.stringify(report),
      headers: { 'content-type': 'application/json' } }).catch(function () {});
  }

  // 10. the same identity in a cross-site frame (its own process, its own DevTools
  // target): the replica's page opens its frame page on the other name of this host
  // (localhost for 127.0.0.1), passing what it reads; the frame's sensor compares
  function identityOf() {
    return { ua: navigator.userAgent, platform: navigator.platform, languages: report.languages,
      hints: navigator.userAgentData ? navigator.userAgentData.platform : null };
  }
  function openFrame() {
    if (window !== window.top || location.hostname !== '127.0.0.1' || !document.body) return;
    var frame = document.createElement('iframe');
    frame.src = location.protocol + '//localhost:' + location.port + '/replica/frame#' +
      encodeURIComponent(JSON.stringify(identityOf()));
    frame.style.display = 'none';
    frame.setAttribute('aria-hidden', 'true');
    document.body.appendChild(frame);
  }
  function compareWithPage() {
    if (window === window.top || location.pathname !== '/replica/frame') return;
    var page;
    try { page = JSON.parse(decodeURIComponent(location.hash.slice(1))); } catch (err) { return; }
    var mine = identityOf(), said = ' in a cross-site frame';
    if (mine.ua !== page.ua) add(report.identity, 'navigator.userAgent' + said + ' is ' + mine.ua);
    if (mine.platform !== page.platform) add(report.identity, 'navigator.platform' + said + ' is ' + mine.platform);
    if (mine.languages.join() !== page.languages.join()) add(report.identity, 'navigator.languages' + said + ' is ' + mine.languages.join());
    if (mine.hints !== page.hints) add(report.identity, 'userAgentData.platform' + said + ' is ' + mine.hints);
  }

  checkWebdriver();
  probeRuntime();
  checkIdentity();
  // 11. a service worker, as LinkedIn registers one (`/replica/sw.js`): the browser's
  // target, which no override reaches; it reports what differs as known, apart
  function registerServiceWorker() {
    if (!navigator.serviceWorker || location.hostname !== '127.0.0.1') return;
    var seen = identityOf();
    seen.brands = navigator.userAgentData ? (navigator.userAgentData.brands || []).map(function (b) { return b.brand; }).join(', ') : '';
    navigator.serviceWorker.register('/replica/sw.js?page=' + encodeURIComponent(JSON.stringify(seen)), { scope: '/replica/' })
      .catch(function () { /* not here: nothing to compare */ });
  }

  // the cross-site frame compares its identity only (the page runs the rest once)
  if (!WHERE) { checkWorker(); registerServiceWorker(); }
  compareWithPage();
  setInterval(probeRuntime, 1000);
  document.addEventListener('DOMContentLoaded', function () {
    sensorDoes(function () {
      learn(document);
      watch(document);
      Array.prototype.forEach.call(document.querySelectorAll('*'), function (el) { if (el.shadowRoot) watch(el.shadowRoot); });
      openFrame();
    });
    checkWebdriver();
    probeRuntime();
    send(false);
  });
  window.addEventListener('load', function () {
    if (WHERE) { send(false); return; }
    import('/replica/static/botd.esm.js').then(function (botd) {
      return botd.load({ monitoring: false });
    }).then(function (agent) {
      var r = agent.detect();
      // which of BotD's detectors said bot, for the report's reader
      var said = [], d = agent.getDetections ? agent.getDetections() || {} : {};
      Object.keys(d).forEach(function (k) { if (d[k] && d[k].bot) said.push(k); });
      var verdict = { bot: !!r.bot, kind: (r.botKind || '') + (said.length ? ' via ' + said.join(', ') : '') };
      // a verdict taken while the window closes (the tab or the browser shutting
      // down under BotD's awaits) reads a dying window: it counts only if the page
      // is still shown a moment later
      return new Promise(function (done) {
        setTimeout(function () {
          if (leaving || document.visibilityState !== 'visible') report.botd_error = 'the page closed before BotD finished';
          else report.botd = verdict;
          done();
        }, 300);
      });
    }, function (err) {
      report.botd_error = String(err && err.message || err).slice(0, 200);
    }).then(function () { send(false); });
  });
  var leaving = false;
  window.addEventListener('pagehide', function () { leaving = true; probeRuntime(); send(true); });
  document.addEventListener('visibilitychange', function () { if (document.visibilityState !== 'visible') leaving = true; });
})();
