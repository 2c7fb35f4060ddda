// Resolves once the page changed, so that a wait looks again when there is
// something new to see instead of on a timer: the first mutation anywhere (the
// document and every open shadow root; a shadow root attached later shows as its
// host's insertion), then one frame for layout, and not before `minMs` from the
// start. With no change at all it resolves after `quietMs` (a CSS transition or a
// timer can change what is visible without touching the DOM).
(function (quietMs, minMs) {
  'use strict';
  return new Promise(function (resolve) {
    var start = performance.now(), done = false, changed = false, observers = [];
    function finish() {
      if (done) return;
      done = true;
      for (var k = 0; k < observers.length; k++) observers[k].disconnect();
      resolve(changed);
    }
    function onChange() {
      if (changed) return;
      changed = true;
      var framed = false;
      function afterFrame() {
        if (framed) return;
        framed = true;
        setTimeout(finish, Math.max(0, minMs - (performance.now() - start)));
      }
      // a hidden page gets no frames: the timer stands in
      requestAnimationFrame(afterFrame);
      setTimeout(afterFrame, 50);
    }
    var roots = [document];
    for (var i = 0; i < roots.length; i++) {
      var mo = new MutationObserver(onChange);
      mo.observe(roots[i], { subtree: true, childList: true, attributes: true, characterData: true });
      observers.push(mo);
      var all = roots[i].querySelectorAll('*');
      for (var j = 0; j < all.length; j++) if (all[j].shadowRoot) roots.push(all[j].shadowRoot);
    }
    setTimeout(finish, quietMs);
  });
})
