// A sanitized copy of the page for operators (drift evidence): the DOM as the worker
// saw it, open shadow roots inlined as declarative shadow roots
// (<template shadowrootmode="open">) so `autoapply selectors check --html` and a
// browser see them again; scripts, event handlers, meta tags, input values, checked
// and selected states are left out, so no token, cookie or answer is kept.
(function () {
  'use strict';
  var VOID = /^(area|base|br|col|embed|hr|img|input|link|param|source|track|wbr)$/;
  var DROP = /^(script|noscript|meta|iframe|object|embed)$/;
  function esc(s) { return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  function attr(s) { return esc(s).replace(/"/g, '&quot;'); }
  function children(node, out) { for (var c = node.firstChild; c; c = c.nextSibling) walk(c, out); }
  function walk(node, out) {
    if (node.nodeType === 3) { out.push(esc(node.nodeValue)); return; }
    if (node.nodeType !== 1) return;
    var tag = node.localName;
    if (DROP.test(tag)) return;
    var parts = ['<' + tag];
    for (var i = 0; i < node.attributes.length; i++) {
      var a = node.attributes[i], name = a.name.toLowerCase();
      if (/^on/.test(name) || name === 'value' || name === 'checked' || name === 'selected' ||
          name === 'nonce' || name === 'integrity' || (name === 'src' && /^(data|blob):/.test(a.value))) continue;
      parts.push(' ' + a.name + '="' + attr(a.value) + '"');
    }
    if (tag === 'option') parts.push(' value="' + attr(node.text || '') + '"');
    out.push(parts.join('') + '>');
    if (VOID.test(tag)) return;
    if (node.shadowRoot) {
      out.push('<template shadowrootmode="open">');
      children(node.shadowRoot, out);
      out.push('</template>');
    }
    if (tag === 'textarea') { out.push('</textarea>'); return; }
    if (tag === 'template') children(node.content, out); else children(node, out);
    out.push('</' + tag + '>');
  }
  var out = ['<!DOCTYPE html>\n<!-- autoapply drift snapshot of ' + attr(location.origin + location.pathname) +
             ' taken ' + new Date().toISOString() + ' -->\n'];
  walk(document.documentElement, out);
  return out.join('');
})()
