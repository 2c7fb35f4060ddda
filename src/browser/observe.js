// Reads the page with the entries of the site file (passed as SPEC) and reports what
// it shows; keeps the elements the driver may act on in this world's `__targets`
// (by key: `next`, `field-3`, `field-3-opt-1`), where the driver finds them as
// handles. It runs in an isolated world: it shares the page's DOM, not its globals,
// and it writes nothing into the page.
// Site knowledge stays in selectors/*.toml: this script only applies it.
//
// An entry is a CSS selector or a semantic locator (site::locator documents the
// grammar): role=button[name="Next"], text=Continue applying, label=Follow *.
// Every query sees the whole page: the document and every open shadow root in it.
(function (SPEC) {
  'use strict';
  function visible(el) {
    if (!el || !el.getClientRects || el.getClientRects().length === 0) return false;
    var s = window.getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none';
  }
  // a day, a month and a year in letters, in any order, between separators
  var DATE_LAYOUT = /^[dmyjta]{1,4}([./\- ])[dmyjta]{1,4}\1[dmyjta]{1,4}$/i;
  function norm(s) { return (s || '').replace(/\s+/g, ' ').trim(); }
  // text as phrases are compared (site::text::fold_text does the same): lower case,
  // typographic quotes as straight ones, an ellipsis as three dots, white space
  // (NBSP included) as one space
  function fold(s) {
    return norm((s || '').replace(/[\u2018\u2019\u201B\u2032\u00B4`]/g, "'")
      .replace(/[\u201C\u201D\u201E\u2033]/g, '"').replace(/\u2026/g, '...')
      .replace(/[\u00A0\u202F]/g, ' ')).toLowerCase();
  }
  // page text: a phrase anywhere, `*` = any text within the same sentence
  function matches(haystack, phrase) {
    var parts = fold(phrase).split('*').map(function (p) { return p.trim(); }).filter(Boolean);
    var rest = haystack, firstPart = true;
    for (var i = 0; i < parts.length; i++) {
      var at = rest.indexOf(parts[i]);
      if (at < 0 || (!firstPart && at > 40)) return false;
      rest = rest.slice(at + parts[i].length);
      firstPart = false;
    }
    return !firstPart;
  }
  function anyText(text, phrases) {
    var t = fold(text);
    return phrases.some(function (p) { return matches(t, p); });
  }
  // names: the whole name, `*` = any text (site::locator::name_matches); with `gap`,
  // `*` stands for at most that many characters (a status's few words)
  function nameMatches(text, pattern, gap) {
    var t = fold(text), parts = fold(pattern).split('*').map(function (p) { return p.trim(); });
    if (parts.length === 1) return t === parts[0];
    var head = parts[0], tail = parts[parts.length - 1];
    if (t.indexOf(head) !== 0 || t.length < head.length + tail.length || t.slice(t.length - tail.length) !== tail) return false;
    var rest = t.slice(head.length, t.length - tail.length);
    for (var i = 1; i < parts.length - 1; i++) {
      var at = rest.indexOf(parts[i]);
      if (at < 0 || (gap && at > gap)) return false;
      rest = rest.slice(at + parts[i].length);
    }
    return !gap || rest.length <= gap;
  }

  // the document and every open shadow root, found once per look
  var ROOTS = [document];
  for (var r = 0; r < ROOTS.length; r++) {
    var els = ROOTS[r].querySelectorAll('*');
    for (var e = 0; e < els.length; e++) if (els[e].shadowRoot) ROOTS.push(els[e].shadowRoot);
  }
  function parentOf(node) { return node.parentNode || node.host || null; }
  // the parent element, across a shadow root's boundary
  function parentEl(node) {
    var p = node.parentNode;
    if (p && p.nodeType === 11) return p.host || null;
    return p && p.nodeType === 1 ? p : null;
  }
  // on the current step: the element is rendered, or (a control styled away: a file
  // input, a custom radio) its parent is; nothing of a hidden step is either
  function shown(el) { return visible(el) || !!(parentEl(el) && visible(parentEl(el))); }
  function sized(el) {
    var r = el && el.getBoundingClientRect ? el.getBoundingClientRect() : null;
    return !!r && r.width > 1 && r.height > 1 && visible(el);
  }
  function inside(scope, node) {
    for (; node; node = parentOf(node)) if (node === scope) return true;
    return false;
  }
  // CSS through shadow roots: the scope's own tree, then the roots hosted inside it
  function query(scope, css) {
    scope = scope || document;
    var bases = scope === document ? ROOTS : [scope].concat(ROOTS.filter(function (root) {
      return root !== document && inside(scope, root.host);
    }));
    var out = [];
    bases.forEach(function (base) {
      try { out.push.apply(out, base.querySelectorAll(css)); } catch (err) { /* validated in Rust */ }
    });
    return out;
  }
  function byId(node, id) {
    var root = node.getRootNode ? node.getRootNode() : document;
    return (root.getElementById ? root.getElementById(id) : null) || document.getElementById(id);
  }

  var IMPLIED = { button: 'button', dialog: 'dialog', textarea: 'textbox', select: 'combobox', fieldset: 'group',
                  option: 'option', form: 'form', h1: 'heading', h2: 'heading', h3: 'heading', h4: 'heading' };
  var INPUT_ROLES = { checkbox: 'checkbox', radio: 'radio', button: 'button', submit: 'button', reset: 'button',
                      image: 'button', search: 'searchbox', number: 'spinbutton', text: 'textbox', email: 'textbox',
                      tel: 'textbox', url: 'textbox', '': 'textbox' };
  function role(el) {
    var explicit = norm(el.getAttribute('role')).split(' ')[0];
    if (explicit) return explicit.toLowerCase();
    var tag = el.tagName.toLowerCase();
    if (tag === 'a' || tag === 'area') return el.hasAttribute('href') ? 'link' : '';
    if (tag === 'input') {
      var type = (el.getAttribute('type') || '').toLowerCase();
      var implied = INPUT_ROLES[type] || '';
      return implied === 'textbox' && el.hasAttribute('list') ? 'combobox' : implied;
    }
    return IMPLIED[tag] || '';
  }
  function isControl(el) {
    var tag = el.tagName.toLowerCase();
    return (tag === 'input' && el.type !== 'hidden') || tag === 'select' || tag === 'textarea' ||
      ['checkbox', 'radio', 'textbox', 'combobox', 'switch', 'searchbox'].indexOf(role(el)) >= 0;
  }
  function textOf(el) { return norm(visible(el) ? el.innerText : el.textContent); }
  function labelsOf(el) {
    var out = el.labels ? Array.prototype.slice.call(el.labels) : [];
    var wrap = el.closest ? el.closest('label') : null;
    if (wrap && out.indexOf(wrap) < 0) out.push(wrap);
    return out;
  }
  // a control's text as its name: what is hidden from assistive technology
  // (aria-hidden: an icon, a glyph) left out, as the browser computes names
  function contentText(el) {
    if (!el.querySelector('[aria-hidden="true"]')) return textOf(el);
    var parts = [];
    (function walk(n) {
      for (var c = n.firstChild; c; c = c.nextSibling) {
        if (c.nodeType === 3) parts.push(c.nodeValue);
        else if (c.nodeType === 1 && c.getAttribute('aria-hidden') !== 'true' && (!c.checkVisibility || c.checkVisibility())) walk(c);
      }
    })(el);
    return norm(parts.join(' '));
  }
  // the accessible name, as a person reads it (site::aria::name is the static twin)
  function accName(el) {
    var ids = norm(el.getAttribute('aria-labelledby'));
    if (ids) {
      var joined = norm(ids.split(' ').map(function (id) { var n = byId(el, id); return n ? textOf(n) : ''; }).join(' '));
      if (joined) return joined;
    }
    var aria = norm(el.getAttribute('aria-label'));
    if (aria) return aria;
    if (isControl(el)) {
      var labels = labelsOf(el).map(textOf).filter(Boolean);
      if (labels.length) return labels.join(' ');
    }
    var r = role(el), tag = el.tagName.toLowerCase();
    if (tag === 'fieldset') { var legend = el.querySelector('legend'); if (legend) return textOf(legend); }
    if (r === 'dialog' || r === 'alertdialog') { var h = el.querySelector('h1, h2, h3'); if (h) return textOf(h); }
    if (['button', 'link', 'option', 'tab', 'menuitem', 'heading'].indexOf(r) >= 0 ||
        (['radio', 'checkbox', 'switch'].indexOf(r) >= 0 && tag !== 'input')) {
      var t = contentText(el);
      if (t) return t;
    }
    return norm(el.getAttribute('title') || el.getAttribute('placeholder'));
  }

  var PARSED = {};
  function parse(entry) {
    if (PARSED[entry]) return PARSED[entry];
    var m, loc;
    if ((m = /^role=([a-z]+)(?:\[name=(["'])([\s\S]*)\2\])?$/.exec(entry.trim()))) loc = { role: m[1], name: m[3] };
    else if ((m = /^(text|label)=\s*(["']?)([\s\S]*?)\2\s*$/.exec(entry.trim()))) loc = m[1] === 'text' ? { text: m[3] } : { label: m[3] };
    else loc = { css: entry };
    PARSED[entry] = loc;
    return loc;
  }
  var CANDIDATES = { button: 'button, input, [role]', link: 'a[href], area[href], [role]', dialog: 'dialog, [role]',
                     checkbox: 'input, [role]', radio: 'input, [role]', textbox: 'input, textarea, [role]',
                     combobox: 'input, select, [role]', group: 'fieldset, [role]', heading: 'h1, h2, h3, h4, [role]' };
  var CONTROL = 'button, a[href], [role=button], [role=link]';
  // every element an entry matches in scope
  function locate(entry, scope) {
    var loc = parse(entry);
    if (loc.css) return query(scope, loc.css);
    if (loc.role) {
      return query(scope, CANDIDATES[loc.role] || '[role]').filter(function (el) {
        return role(el) === loc.role && (loc.name === undefined || nameMatches(accName(el), loc.name));
      });
    }
    if (loc.label) {
      return query(scope, 'input, select, textarea, [role]').filter(function (el) {
        return isControl(el) && nameMatches(accName(el), loc.label);
      });
    }
    var hits = query(scope, '*').filter(function (el) {
      return !/^(HTML|HEAD|SCRIPT|STYLE|TEMPLATE)$/.test(el.tagName) && nameMatches(el.textContent, loc.text);
    });
    // the innermost match; inside a button or a link, that control
    return hits.filter(function (el) {
      return !hits.some(function (o) { return o !== el && el.contains(o); });
    }).map(function (el) { return (el.closest && el.closest(CONTROL)) || el; });
  }
  // the matches of the first entry that matches (visible ones unless anyVisibility;
  // accept filters what may count as a match)
  function all(entries, scope, anyVisibility, accept) {
    for (var i = 0; i < entries.length; i++) {
      var hits = locate(entries[i], scope).filter(function (el) {
        return (anyVisibility || visible(el)) && (!accept || accept(el));
      });
      if (hits.length) return hits;
    }
    return [];
  }
  function first(entries, scope, anyVisibility, accept) { return all(entries, scope, anyVisibility, accept)[0] || null; }
  // what may be acted on, this look's only: the last look's keys are gone
  var TARGETS = globalThis.__targets = {};
  function tag(el, name) { if (el) TARGETS[name] = el; }

  // the page's visible text, shadow roots included
  var pageText = (document.body ? document.body.innerText || '' : '') + ' ' + ROOTS.slice(1).map(function (root) {
    return Array.prototype.map.call(root.children, function (c) { return c.innerText || ''; }).join(' ');
  }).join(' ');
  var dialogs = query(document, 'dialog[open], [role=dialog], [role=alertdialog]').filter(visible);
  var sm = SPEC.session_markers, job = SPEC.job, md = SPEC.modal, fs = SPEC.fields, oc = SPEC.outcome;
  // a status as LinkedIn shows one: an element, or a few side by side, whose whole
  // visible text is the phrase (short; never a heading, never inside the job's own
  // text), found from the text nodes that hold the phrase's first words
  function statusShown(phrases) {
    var heads = phrases.map(function (p) { return fold(p).split('*')[0].trim(); }).filter(Boolean);
    return textNodes().some(function (tn) {
      var t = fold(tn.nodeValue);
      if (!heads.some(function (h) { return t.indexOf(h) >= 0; })) return false;
      for (var el = parentEl(tn), depth = 0; el && depth < 4; el = parentEl(el), depth++) {
        if (!visible(el) || freeText(el)) return false;
        var text = textOf(el);
        if (text.length > 120) return false;
        if (phrases.some(function (p) { return nameMatches(text, p, 24); })) return true;
      }
      return false;
    });
  }
  var TEXT_NODES = null;
  function textNodes() {
    if (TEXT_NODES) return TEXT_NODES;
    TEXT_NODES = [];
    ROOTS.forEach(function (root) {
      var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (var n = walker.nextNode(); n; n = walker.nextNode()) if (n.nodeValue.trim()) TEXT_NODES.push(n);
    });
    return TEXT_NODES;
  }
  function freeText(el) {
    if (el.closest('h1, h2, h3, h4, h5, h6, [role=heading]')) return true;
    return SPEC.job.free_text.some(function (css) { try { return !!el.closest(css); } catch (err) { return false; } });
  }
  // where LinkedIn answers a click: open dialogs, toasts, alerts, live regions; the
  // whole page only after a submission moved it to the post-apply page
  var SIGNALS = null;
  function signalText() {
    if (SIGNALS !== null) return SIGNALS;
    if (SPEC.outcome.confirmation_url_fragments.some(function (f) { return location.pathname.indexOf(f) >= 0; })) {
      return (SIGNALS = pageText);
    }
    var areas = dialogs.slice();
    SPEC.outcome.signal_areas.forEach(function (css) { areas.push.apply(areas, query(document, css).filter(visible)); });
    return (SIGNALS = areas.filter(function (a, i) {
      return areas.indexOf(a) === i && !areas.some(function (o) { return o !== a && inside(o, a); });
    }).map(textOf).join(' '));
  }
  var external = [];
  job.external_apply.forEach(function (entry) { external.push.apply(external, locate(entry, document)); });
  var obs = {
    url: location.href,
    lang: norm(document.documentElement.getAttribute('lang')),
    logged_in: !!first(sm.logged_in),
    captcha: !!first(sm.captcha, document, true),
    login_wall: sm.login_url_fragments.some(function (f) { return location.pathname.indexOf(f) === 0; }),
    checkpoint: sm.checkpoint_url_fragments.some(function (f) { return location.pathname.indexOf(f) >= 0; }),
    job_loaded: !!first(job.loaded),
    easy_apply: false,
    external_apply: external.some(function (x) { return visible(x) && !freeText(x); }),
    already_applied: !!first(job.already_applied) || statusShown(job.already_applied_texts),
    closed: !!first(job.closed) || statusShown(job.closed_texts),
    safety_reminder: false,
    interstitial: null,
    daily_limit: anyText(signalText(), oc.daily_limit_texts),
    throttled: anyText(signalText(), oc.throttle_texts),
    confirmation: !!first(oc.confirmation) || anyText(signalText(), oc.confirmation_texts),
    after_submit: null,
    modal: null,
    suggestions: []
  };
  // the apply control: never a filter pill (radio, checkbox, tab, option, a toggle)
  // and never the external apply
  var entry = first(job.easy_apply, document, false, function (el) {
    return ['radio', 'checkbox', 'tab', 'option', 'menuitemradio', 'menuitemcheckbox', 'switch'].indexOf(role(el)) < 0 &&
      !el.hasAttribute('aria-pressed') && !el.hasAttribute('aria-checked') &&
      !external.some(function (x) { return x === el || x.contains(el) || el.contains(x); });
  });
  if (entry) { obs.easy_apply = true; tag(entry, 'easy_apply'); }

  // interstitials before the form (the safety reminder, the qualifications notice):
  // a dialog that says one of their phrases, passed by its continue button
  [['safety reminder', job.safety_reminder_texts, job.safety_reminder_continue],
   ['qualifications notice', job.qualifications_notice_texts, job.qualifications_notice_continue]].forEach(function (kind) {
    if (obs.interstitial) return;
    dialogs.some(function (scope) {
      var text = textOf(scope);
      if (!anyText(text, kind[1])) return false;
      var button = first(kind[2], scope);
      if (!button) return false;
      obs.safety_reminder = true; obs.interstitial = kind[0]; tag(button, 'continue');
      return true;
    });
  });

  var discard = first(md.discard);
  if (discard) tag(discard, 'discard');
  // the form: the site's dialog, else whichever dialog holds a step button
  var stepButtons = md.next.concat(md.review, md.submit);
  var modal = first(md.root) || dialogs.filter(function (d) { return !!first(stepButtons, d); })[0] || null;
  // whether the form's dialog holds a step button (enabled or not), read once by readModal
  var modalSteps = false;
  if (modal) obs.modal = readModal(modal, !!discard);
  // any other open dialog, for a decision the site file cannot make (an unknown message
  // after the apply click): its visible text
  var other = dialogs.filter(function (d) { return !modal || !(d === modal || d.contains(modal) || modal.contains(d)); })[0];
  obs.dialog = other ? norm(other.innerText || other.textContent).slice(0, 300) : null;
  // after Submit: a dialog with no step button that is not the confirmation (an
  // upsell, a survey) and its decline or close control, never its accept
  obs.after_submit = null;
  if (!obs.confirmation) {
    dialogs.some(function (d) {
      // the form's dialog (or one around it) is known from readModal: no second search
      var known = modal && (d === modal || d.contains(modal));
      if (known ? modalSteps || (d !== modal && first(stepButtons, d)) : first(stepButtons, d)) return false;
      var close = first(oc.after_submit_dismiss, d);
      if (!close) return false;
      obs.after_submit = norm(d.innerText || d.textContent).slice(0, 200);
      tag(close, 'after_submit_dismiss');
      return true;
    });
  }
  all(fs.typeahead_suggestions).forEach(function (s, k) {
    obs.suggestions.push(norm(s.innerText || s.textContent));
    tag(s, 'suggestion-' + k);
  });
  return obs;

  function readModal(modal, hasDiscard) {
    var m = { fields: [], next: false, review: false, submit: false, dismiss: false, discard: hasDiscard,
              errors: [], documents: [], document_selected: false, selected_document: null, progress: '' };
    [['next', md.next], ['review', md.review], ['submit', md.submit], ['dismiss', md.dismiss]].forEach(function (b) {
      var el = first(b[1], modal);
      if (el && b[0] !== 'dismiss') modalSteps = true;
      if (el && !el.disabled && el.getAttribute('aria-disabled') !== 'true') { m[b[0]] = true; tag(el, b[0]); }
    });
    m.errors = all(md.inline_errors, modal).map(function (x) { return norm(x.innerText); }).filter(Boolean)
      .filter(function (t, i, a) { return a.indexOf(t) === i; });
    var bar = query(modal, '[role=progressbar]').filter(visible)[0];
    if (bar) m.progress = norm(bar.getAttribute('aria-valuenow') || bar.innerText);
    // the follow box and date inputs of the whole dialog, found once for both readers
    var fields = { list: [], claimed: [], follow: all(fs.follow_company, modal, true), dates: all(fs.date, modal, true),
                   errors: m.errors.length > 0 };
    readDocuments(modal, m, fields.claimed);
    var form = first(md.form, modal) || modal;
    readContainers(form, fields);
    // the rest of the dialog, not only its <form>: a footer (the follow box) may sit
    // outside the form element
    readLabelled(modal, fields);
    m.fields = fields.list;
    return m;
  }

  // CSS entries of a key that the element itself matches
  function isA(el, entries) {
    return entries.some(function (css) { try { return parse(css).css && el.matches(css); } catch (err) { return false; } });
  }
  function fileName(text) {
    var m = /[^\s\/\\]+\.(pdf|docx?|odt|rtf|txt)\b/i.exec(text || '');
    return m ? m[0] : norm(text);
  }
  // the file a file input holds, as the browser shows it beside the input (a page
  // that shows no card of its own after an upload still shows this)
  function chosenFile(input) { return input.files && input.files.length ? input.files[0].name : ''; }
  // a file input without a label, named by its id and name ("…-upload-cover-letter")
  function fileHint(input) {
    return norm(((input.id || '') + ' ' + (input.getAttribute('name') || '')).replace(/[-_]+/g, ' '));
  }
  // the résumés LinkedIn already has, on the shown step: one card each (its file
  // name, whether it is selected, its control tagged doc-k; its controls are no
  // question); a list of file names where no card matches
  function readDocuments(modal, m, claimed) {
    var cards = all(fs.document_cards, modal).filter(function (c, i, a) {
      return !a.some(function (o) { return o !== c && inside(o, c); });
    });
    cards.forEach(function (card, k) {
      var nameEl = first(fs.uploaded_documents, card);
      var name = nameEl ? textOf(nameEl) : fileName(textOf(card));
      var control = query(card, 'input[type=radio], input[type=checkbox], [role=radio], [role=option]').filter(shown)[0] || null;
      var selected = isA(card, fs.selected_document) || !!first(fs.selected_document, card, true) ||
        !!(control && (control.checked === true || control.getAttribute('aria-checked') === 'true')) ||
        card.getAttribute('aria-selected') === 'true' || card.getAttribute('aria-checked') === 'true';
      query(card, 'input, select, textarea').forEach(function (c) { claimed.push(c); });
      m.documents.push(name);
      if (selected && m.selected_document === null) m.selected_document = name;
      tag(control ? clickTarget(control) : card, 'doc-' + k);
    });
    if (!cards.length) m.documents = all(fs.uploaded_documents, modal).map(textOf);
    m.uploaded = all(fs.uploaded_documents, modal).map(textOf);
    m.document_selected = m.selected_document !== null || !!first(fs.selected_document, modal);
  }

  function cleanLabel(raw) { return norm(raw).replace(/\s*\*\s*$/, '').replace(/\s*Required\s*$/i, ''); }
  function required(el) { return !!(el.required || el.getAttribute('aria-required') === 'true'); }
  function isFollow(el, fields) {
    if (fields.follow.indexOf(el) >= 0) return true;
    return el.type === 'checkbox' && (anyText(accName(el), fs.follow_company_texts) ||
      anyText(optionText(el, '', [el]), fs.follow_company_texts));
  }
  // what a click on an option should land on: its label when it has a size, else the
  // control, else the control's wrapper
  function clickTarget(input) {
    var lab = labelsOf(input).filter(sized)[0];
    if (lab) return lab;
    if (sized(input)) return input;
    var p = parentEl(input);
    return p && sized(p) ? p : input;
  }
  // an option's text as a person reads it: its label's text, its aria-labelledby, the
  // text beside it (the largest wrapper that holds this option alone), its aria-label;
  // never a text that merely repeats the question, never its value (an opaque id)
  function optionText(input, question, group) {
    var q = fold(question);
    var own = function (t) { return t && fold(t) !== q; };
    var fromLabels = labelsOf(input).map(textOf).filter(own);
    if (fromLabels.length) return norm(fromLabels.join(' '));
    var ids = norm(input.getAttribute('aria-labelledby'));
    if (ids) {
      var named = norm(ids.split(' ').map(function (id) { var n = byId(input, id); return n ? textOf(n) : ''; }).join(' '));
      if (own(named)) return named;
    }
    for (var p = parentEl(input), depth = 0; p && depth < 4; p = parentEl(p), depth++) {
      if (query(p, 'input, select, textarea').some(function (o) { return o !== input && o.type !== 'hidden'; })) break;
      if (!visible(p)) continue;
      var beside = textOf(p);
      if (q && fold(beside).indexOf(q) >= 0) break;
      if (own(beside)) return beside;
    }
    var aria = norm(input.getAttribute('aria-label'));
    return own(aria) ? aria : '';
  }
  // the visible text of `block` above its first control (labels of these controls,
  // buttons, lists and alerts left out): the question where no label carries it
  function textBefore(block, controls) {
    var skip = [];
    controls.forEach(function (c) {
      skip.push.apply(skip, labelsOf(c));
      // a group's options: the wrapper that holds one option alone holds its text
      for (var w = c, up = parentEl(c); controls.length > 1 && up && up !== block &&
           !query(up, 'input, select, textarea').some(function (o) { return o !== c && o.type !== 'hidden'; }); up = parentEl(up)) w = up;
      if (w !== c) skip.push(w);
    });
    var out = [];
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      if (controls[0].compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING) break;
      var p = n.parentElement;
      if (!p || !visible(p) || skip.some(function (l) { return l.contains(n); }) ||
          p.closest('button, [role=button], [role=listbox], [role=alert], select, option, legend')) continue;
      out.push(n.nodeValue);
    }
    return norm(out.join(' '));
  }
  // the block a question's controls sit in: the site's question block, else the
  // smallest element holding them all, widened while it shows no text above them
  // and holds no other control
  function questionBlock(controls) {
    var c = controls[0], block = null;
    fs.question_blocks.some(function (css) { try { block = c.closest(css); } catch (err) { block = null; } return !!block; });
    if (block) return block;
    var a = parentEl(c);
    while (a && !controls.every(function (x) { return inside(a, x); })) a = parentEl(a);
    for (var depth = 0; a && depth < 4; depth++) {
      if (textBefore(a, controls)) return a;
      var up = parentEl(a);
      if (!up || up === document.body || query(up, 'input, select, textarea').some(function (x) {
        return x.type !== 'hidden' && controls.indexOf(x) < 0;
      })) return a;
      a = up;
    }
    return a;
  }
  // a question with no label, legend or name: the text heading its block
  function heading(field, controls) {
    var block = questionBlock(controls);
    if (!block) return;
    var raw = textBefore(block, controls);
    if (/\*/.test(raw)) field.required = true;
    field.label = cleanLabel(raw);
  }
  function sharedAria(inputs) {
    var names = inputs.map(function (i) { return norm(i.getAttribute('aria-label')); });
    return names[0] && names.every(function (n) { return fold(n) === fold(names[0]); }) ? names[0] : '';
  }
  function options(field, inputs, handle) {
    inputs.forEach(function (input, k) {
      var text = optionText(input, field.label, inputs);
      // a lone box is its own statement ("I agree to …")
      if (!text && inputs.length === 1 && input.type === 'checkbox') text = field.label;
      field.options.push(text);
      tag(clickTarget(input), 'field-' + handle + '-opt-' + k);
      if (input.checked) {
        field.checked.push(k);
        field.value = field.value ? field.value + ', ' + text : text;
      }
      if (required(input)) field.required = true;
    });
  }
  function newField(label) {
    return { handle: 0, label: label, kind: 'unknown', required: false, options: [], checked: [], value: '', whole: false, error: '', format: '' };
  }
  // a text field's inline error (LinkedIn's, in its question's block), and whether
  // it takes whole numbers only: its type, input mode or pattern, or that error says so
  function numberRules(field, control, errorsShown) {
    var block = errorsShown ? questionBlock([control]) : null;
    field.error = block ? all(md.inline_errors, block).map(textOf).filter(Boolean)
      .filter(function (t, i, a) { return a.indexOf(t) === i; }).join(' ') : '';
    field.whole = wholeOnly(control) || (!!field.error && anyText(field.error, fs.whole_number_texts));
  }
  function wholeOnly(el) {
    if (el.type === 'number') return /^\d+$/.test((el.getAttribute('step') || '1').trim());
    if (fold(el.getAttribute('inputmode')) === 'numeric') return true;
    var pattern = el.getAttribute('pattern');
    if (!pattern) return false;
    try {
      var re = new RegExp('^(?:' + pattern + ')$', 'v');
      return re.test('4') && !re.test('4.5') && !re.test('4,5');
    } catch (err) { return false; }
  }
  function push(fields, field, control) {
    var handle = fields.list.length;
    field.handle = handle;
    if (control) {
      tag(control, 'field-' + handle);
      if (required(control)) field.required = true;
      // a text input whose placeholder lays out a date ("DD.MM.YYYY") is a date field
      if (field.kind === 'text' && DATE_LAYOUT.test(norm(control.getAttribute('placeholder')))) field.kind = 'date';
      if (field.kind === 'text') numberRules(field, control, fields.errors);
      if (field.kind === 'date') field.format = control.type === 'date' ? '' : norm(control.getAttribute('placeholder'));
    }
    fields.list.push(field);
    return handle;
  }

  // the question containers of the site file (an optimisation where they exist)
  function readContainers(form, fields) {
    all(fs.containers, form).forEach(function (box) {
      // a container inside another container is the same question
      if (box.parentElement && box.parentElement.closest && fs.containers.some(function (c) {
        try { var outer = box.parentElement.closest(c); return outer && form.contains(outer) && outer !== form; } catch (err) { return false; }
      })) return;
      var field = newField('');
      var control = null, group = null, inputs = [];
      var labelEl = first(fs.labels, box, true);
      if (labelEl) {
        var hiddenDup = labelEl.querySelector('span[aria-hidden="true"]:not(.fb-dash-form-element__label-title--is-required)');
        field.label = cleanLabel(hiddenDup ? hiddenDup.innerText || hiddenDup.textContent : labelEl.innerText || labelEl.textContent);
        if (/\*/.test(labelEl.textContent || '')) field.required = true;
      }
      var followBox = query(box, 'input[type=checkbox]').filter(function (i) { return isFollow(i, fields); })[0];
      var file = first(fs.file, box, true);
      var radioGroup = all(fs.radio_group, box, true).filter(function (g) { return all(fs.radio_inputs, g, true).length; })[0];
      var checkGroup = all(fs.checkbox_group, box, true).filter(function (g) { return all(fs.checkbox_inputs, g, true).length; })[0];
      if (followBox) {
        field.kind = 'follow_company'; control = followBox; field.value = followBox.checked ? 'true' : 'false';
        if (!field.label) field.label = 'Follow company';
      } else if (file) {
        field.kind = 'file'; control = file; field.value = chosenFile(file);
        if (!field.label) field.label = fileHint(file);
      } else if (radioGroup) {
        field.kind = 'radio'; control = radioGroup; group = radioGroup; inputs = all(fs.radio_inputs, radioGroup, true);
      } else if (checkGroup) {
        field.kind = 'checkbox'; control = checkGroup; group = checkGroup; inputs = all(fs.checkbox_inputs, checkGroup, true);
      } else if ((control = first(fs.select, box, true))) {
        field.kind = 'select'; readSelect(field, control);
      } else if ((control = first(fs.typeahead, box, true))) {
        field.kind = 'typeahead'; field.value = control.value || '';
      } else if ((control = first(fs.date, box, true))) {
        field.kind = 'date'; field.value = control.value || '';
      } else if ((control = first(fs.textarea, box, true))) {
        field.kind = 'textarea'; field.value = control.value || '';
      } else if ((control = first(fs.text, box, true))) {
        field.kind = 'text'; field.value = control.value || '';
      }
      if (!field.label && !control) return;
      if (!field.label && field.kind !== 'file') {
        var raw = textBefore(box, inputs.length ? inputs : [control]);
        if (/\*/.test(raw)) field.required = true;
        field.label = cleanLabel(raw);
      }
      query(box, 'input, select, textarea').forEach(function (c) { fields.claimed.push(c); });
      var handle = push(fields, field, control);
      if (group) options(field, inputs, handle);
    });
  }

  function readSelect(field, control) {
    // a placeholder: a phrase of the site file, or an option with no value
    var placeholders = fs.select_placeholder_texts.map(fold);
    function placeholder(o) { return placeholders.indexOf(fold(o.text)) >= 0 || o.value === '' || o.disabled; }
    var hasPlaceholder = Array.prototype.some.call(control.options, placeholder);
    Array.prototype.forEach.call(control.options, function (o) {
      if (!placeholder(o)) field.options.push(norm(o.text));
    });
    var sel = control.options[control.selectedIndex];
    // a list without a placeholder shows its first option selected: not an answer
    var preselected = !hasPlaceholder && control.selectedIndex === 0;
    field.value = sel && !placeholder(sel) && !preselected ? norm(sel.text) : '';
  }

  // every other control of the form, by its label association (label[for] with
  // generated ids, a wrapping label, aria-labelledby, aria-label; a group's legend),
  // else by the text heading its question block; on the shown step only
  function readLabelled(form, fields) {
    var groups = [];
    query(form, 'input, select, textarea').forEach(function (el) {
      if (fields.claimed.indexOf(el) >= 0 || /^(hidden|submit|button|reset|image)$/.test(el.type)) return;
      var labels = labelsOf(el);
      var styledAway = /^(file|radio|checkbox)$/.test(el.type);
      if (!visible(el) && !labels.some(visible) && !(styledAway && shown(el))) return;
      var field = newField(cleanLabel(accName(el)));
      field.kind = 'text';
      if (labels.some(function (l) { return /\*/.test(l.textContent || ''); })) field.required = true;
      if (el.type === 'checkbox' && isFollow(el, fields)) {
        field.kind = 'follow_company'; field.label = 'Follow company'; field.value = el.checked ? 'true' : 'false';
      } else if (el.type === 'radio' || el.type === 'checkbox') {
        var box = el.closest('fieldset, [role=radiogroup], [role=group]');
        var key = box && inside(form, box) ? box : el.name ? 'name:' + el.type + ':' + el.name : el;
        if (!groups.some(function (g) { return g.key === key; })) groups.push({ key: key, box: box, type: el.type, inputs: [] });
        groups.filter(function (g) { return g.key === key; })[0].inputs.push(el);
        return;
      } else if (el.tagName === 'SELECT') {
        field.kind = 'select'; readSelect(field, el);
      } else if (el.tagName === 'TEXTAREA') {
        field.kind = 'textarea'; field.value = el.value || '';
      } else if (el.type === 'file') {
        field.kind = 'file'; field.value = chosenFile(el);
        if (!field.label) field.label = fileHint(el);
      } else if (role(el) === 'combobox' || el.getAttribute('aria-autocomplete') === 'list') {
        field.kind = 'typeahead'; field.value = el.value || '';
      } else {
        field.kind = el.type === 'date' || fields.dates.indexOf(el) >= 0 ? 'date' : 'text';
        field.value = el.value || '';
      }
      if (!field.label && field.kind !== 'file') heading(field, [el]);
      push(fields, field, el);
    });
    groups.forEach(function (g) {
      var box = g.box && g.box.nodeType ? g.box : null;
      var field = newField(cleanLabel(box ? accName(box) : ''));
      field.kind = g.type;
      if (!field.label && g.inputs.length === 1 && !sharedAria(g.inputs)) field.label = cleanLabel(accName(g.inputs[0]));
      if (!field.label) heading(field, g.inputs);
      if (!field.label) field.label = cleanLabel(sharedAria(g.inputs));
      if (box && /\*/.test((box.querySelector('legend') || {}).textContent || '')) field.required = true;
      if (box && box.getAttribute('aria-required') === 'true') field.required = true;
      var handle = push(fields, field, box || g.inputs[0]);
      options(field, g.inputs, handle);
    });
  }
})
