// The replica's client side: LinkedIn's Easy Apply behaviour (interstitials, steps,
// inline validation, typeahead, résumé upload, the save dialog, confirmation),
// rendered from the <template> steps of the job page in the job's markup generation:
// artdeco-2025 (the modal in the page), interop-2026-04 (the same modal inside an
// open shadow root on #interop-outlet), dialog-2026-09 (a native <dialog>).
(function () {
  'use strict';
  var CITIES = ['London, England, United Kingdom', 'Lisbon, Lisbon, Portugal', 'Berlin, Berlin, Germany', 'Bern, Bern, Switzerland'];
  var jobEl = document.getElementById('replica-job');
  var job = jobEl ? JSON.parse(jobEl.textContent) : null;
  // the account's display language: English phrase → its words ({} holds a value)
  var wordsEl = document.getElementById('replica-i18n');
  var WORDS = wordsEl ? JSON.parse(wordsEl.textContent) : {};
  function T(text) {
    var out = WORDS[text] || text;
    for (var i = 1; i < arguments.length; i++) out = out.replace('{}', arguments[i]);
    return out;
  }
  var gen = job ? job.generation : 'artdeco-2025';
  var state = { step: 0, fields: {}, resume: null, follow_company: null, passed: 0, form: null, content: null, shadow: null };

  var slow = document.querySelector('[data-replica-slow]');
  if (slow) {
    setTimeout(function () {
      var t = document.getElementById('replica-top-card');
      slow.appendChild(t.content.cloneNode(true));
    }, Number(slow.getAttribute('data-replica-slow')));
  }

  function outlet() { return document.getElementById('artdeco-modal-outlet'); }
  // the interop generation's shadow root, made on first use
  function shadow() {
    if (state.shadow) return state.shadow;
    var host = document.createElement('div');
    host.id = 'interop-outlet';
    host.setAttribute('data-testid', 'interop-shadowdom');
    document.body.appendChild(host);
    state.shadow = host.attachShadow({ mode: 'open' });
    ['change', 'submit'].forEach(function (type) { state.shadow.addEventListener(type, handlers[type]); });
    return state.shadow;
  }
  function closeAll() {
    outlet().innerHTML = '';
    if (state.shadow) state.shadow.innerHTML = '';
    document.querySelectorAll('dialog').forEach(function (d) { d.close(); d.remove(); });
    state.form = null;
  }
  function showDialog(html) {
    outlet().innerHTML = '<div class="artdeco-modal-overlay artdeco-modal-overlay--is-top-layer">' + html + '</div>';
  }
  function nativeDialog(html, attrs) {
    var d = document.createElement('dialog');
    Object.keys(attrs).forEach(function (k) { d.setAttribute(k, attrs[k]); });
    d.innerHTML = html;
    document.body.appendChild(d);
    d.showModal();
    return d;
  }

  var ARTDECO_MODAL = function () {
    return '<div class="artdeco-modal jobs-easy-apply-modal" role="dialog" aria-labelledby="jobs-apply-header" data-test-modal>' +
      '<button aria-label="' + T('Dismiss') + '" class="artdeco-modal__dismiss artdeco-button artdeco-button--circle" type="button">&times;</button>' +
      '<div class="artdeco-modal__header"><h2 id="jobs-apply-header">' + T('Apply to {}', job.company) + '</h2>' +
      '<span class="replica-progress" role="progressbar"></span></div>' +
      '<div class="jobs-easy-apply-modal__content jobs-easy-apply-content"><form></form></div></div>';
  };

  function openModal() {
    state.step = 0; state.fields = {}; state.resume = null;
    var root;
    if (gen === 'sdui-2026-10') {
      // every step in the DOM at once, the ones not shown hidden, each with its buttons
      var sections = '';
      for (var i = 0; i < job.steps; i++) {
        sections += '<section class="_sx2d4" data-replica-section="' + i + '"' + (i ? ' hidden' : '') + '></section>';
      }
      root = nativeDialog('<div class="_k2a8f1"><h2 id="dialog-header" class="_n8b2d4">' + T('Apply to {}', job.company) + '</h2>' +
        '<button type="button" class="_x3c9e0" aria-label="' + T('Dismiss') + '" data-replica-action="dismiss">\u2715</button></div>' +
        '<div data-testid="dialog-content" class="_u6d1b4" data-replica-content><div data-testid="lazy-column" class="_lc7f3">' +
        '<div class="_g0f5a2" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"></div>' +
        sections + '</div></div>',
      { 'data-testid': 'dialog', 'class': '_d0e4a7', 'aria-labelledby': 'dialog-header',
        'data-sdui-screen': 'com.linkedin.sdui.flagshipnav.jobs.easyapply.EasyApply' });
      root.querySelectorAll('[data-replica-section]').forEach(function (sec) {
        var t = document.querySelector('template[data-replica-step="' + sec.getAttribute('data-replica-section') + '"]');
        sec.appendChild(t.content.cloneNode(true));
      });
      state.form = root.querySelector('[data-replica-section="0"]');
      state.content = root.querySelector('[data-replica-content]');
      state.progress = root.querySelector('[role=progressbar]');
      renderStep();
      return;
    }
    if (gen === 'dialog-2026-09') {
      root = nativeDialog('<div class="_k2a8f1"><h2 id="dialog-header" class="_n8b2d4">' + T('Apply to {}', job.company) + '</h2>' +
        '<button type="button" class="_x3c9e0" aria-label="' + T('Close') + '" data-replica-action="dismiss">\u2715</button></div>' +
        '<div class="_u6d1b4" data-replica-content><div class="_g0f5a2 replica-progress" role="progressbar"></div><form class="_m4e7c3"></form></div>',
      { 'data-testid': 'dialog', 'class': '_d0e4a7', 'aria-labelledby': 'dialog-header' });
    } else if (gen === 'interop-2026-04') {
      root = shadow();
      root.innerHTML = '<link rel="stylesheet" href="/replica/static/replica.css"><div class="artdeco-modal-overlay">' + ARTDECO_MODAL() + '</div>';
    } else {
      showDialog(ARTDECO_MODAL());
      root = outlet();
    }
    state.form = root.querySelector('form');
    state.content = root.querySelector('.jobs-easy-apply-modal__content, [data-replica-content]');
    state.progress = root.querySelector('.replica-progress');
    renderStep();
  }

  function renderStep() {
    if (gen === 'sdui-2026-10') {
      state.content.querySelectorAll('[data-replica-section]').forEach(function (sec) {
        sec.hidden = Number(sec.getAttribute('data-replica-section')) !== state.step;
      });
      state.form = state.content.querySelector('[data-replica-section="' + state.step + '"]');
      state.progress.setAttribute('aria-valuenow', String(Math.round(100 * state.step / job.steps)));
      return;
    }
    var t = document.querySelector('template[data-replica-step="' + state.step + '"]');
    state.form.innerHTML = '';
    state.form.appendChild(t.content.cloneNode(true));
    if (gen !== 'artdeco-2025') {
      // 2026: the footer (buttons, the follow box) is outside the <form>
      state.content.querySelectorAll(':scope > footer[data-replica-footer]').forEach(function (f) { f.remove(); });
      var footer = state.form.querySelector('footer[data-replica-footer]');
      if (footer) state.content.appendChild(footer);
    }
    state.progress.textContent = Math.round(100 * state.step / job.steps) + '%';
  }

  function setError(input, message) {
    var holder = input.closest('[data-replica-q]');
    if (!holder) return;
    var box = holder.querySelector('.replica-error');
    if (!message) { box.hidden = true; box.innerHTML = ''; return; }
    box.hidden = false;
    box.innerHTML = gen === 'dialog-2026-09' || gen === 'sdui-2026-10'
      ? '<div class="_err" role="alert">' + message + '</div>'
      : '<div class="artdeco-inline-feedback artdeco-inline-feedback--error" role="alert">' +
        '<span class="artdeco-inline-feedback__message" data-test-form-element-error-message>' + message + '</span></div>';
  }

  // validates the current step; collects its answers into state when valid
  function collectStep() {
    var ok = true;
    var values = {};
    var scope = gen === 'artdeco-2025' || gen === 'sdui-2026-10' ? state.form : state.content;
    scope.querySelectorAll('[data-replica-label]').forEach(function (el) {
      var label = el.getAttribute('data-replica-label');
      var required = el.hasAttribute('required') || el.getAttribute('data-replica-required') === 'true';
      var value = '';
      var error = null;
      if (el.hasAttribute('data-replica-group')) {
        // SDUI: the value is an opaque id; what the user chose is the option's text
        var ticked = Array.prototype.filter.call(el.querySelectorAll('input'), function (i) { return i.checked; });
        value = ticked.map(function (i) { return i.getAttribute('data-replica-text'); }).join(', ');
        if (required && !value) error = T('Please make a selection');
      } else if (el.getAttribute('data-replica-resume') === 'true' && gen === 'sdui-2026-10') {
        var card = state.form.querySelector('input[name="sdui-resume"]:checked');
        var name = card ? card.getAttribute('data-replica-text') : '';
        state.resume = name ? { name: name, size: state.uploaded && state.uploaded.name === name ? state.uploaded.size : 0 } : null;
        value = name;
        if (!value) error = T('A resume is required');
      } else if (el.tagName === 'FIELDSET') {
        var checked = Array.prototype.filter.call(el.querySelectorAll('input'), function (i) { return i.checked; });
        value = checked.map(function (i) { return i.value; }).join(', ');
        if (required && !value) error = T('Please make a selection');
      } else if (el.id === 'follow-company-checkbox' || el.getAttribute('data-replica-follow') === 'true') {
        value = el.checked ? 'true' : 'false';
        state.follow_company = el.checked;
      } else if (el.getAttribute('data-replica-resume') === 'true') {
        value = state.resume ? state.resume.name : '';
        if (!value) error = T('A resume is required');
      } else if (el.type === 'file') {
        // another upload (a cover letter): the file's name
        value = el.files.length ? el.files[0].name : '';
        if (required && !value) error = T('Please enter a valid answer');
      } else if (el.tagName === 'SELECT') {
        value = el.value === T('Select an option') ? '' : el.value;
        if (required && !value) error = T('Please enter a valid answer');
      } else {
        value = el.value;
        var max = el.getAttribute('data-replica-max');
        if (required && !value.trim()) error = T('Please enter a valid answer');
        else if (max !== null && value.trim() && !(/^\d+$/.test(value.trim()) && Number(value) <= Number(max))) {
          error = T('Enter a whole number between 0 and {}', max);
        } else if (el.getAttribute('data-replica-typeahead') === 'true' && value && CITIES.indexOf(value) < 0) {
          error = T('Please select a location from the list');
        } else if (el.getAttribute('data-replica-date') === 'true' && value.trim() && !fitsLayout(value.trim(), el.placeholder)) {
          error = T('Please enter a valid date');
        }
      }
      setError(el, error);
      if (error) ok = false;
      values[label] = value;
    });
    if (ok) Object.keys(values).forEach(function (k) { state.fields[k] = values[k]; });
    return ok;
  }

  // a date as the placeholder lays it out ("mm/dd/yyyy", "TT.MM.JJJJ"): its digits
  // where its letters are, a real day of a real month
  function fitsLayout(value, layout) {
    if (value.length !== layout.length) return false;
    var parts = { d: '', m: '', y: '' }, re = /([a-zA-Z])\1*/g, run, at = 0;
    while ((run = re.exec(layout))) {
      if (value.slice(at, run.index) !== layout.slice(at, run.index)) return false;
      var digits = value.substr(run.index, run[0].length), l = run[1].toLowerCase();
      if (!/^[0-9]+$/.test(digits)) return false;
      parts[run[0].length >= 3 || /[ya]/.test(l) ? 'y' : l === 'm' ? 'm' : 'd'] = digits;
      at = run.index + run[0].length;
    }
    if (value.slice(at) !== layout.slice(at)) return false;
    var d = +parts.d, m = +parts.m, y = +parts.y;
    var day = new Date(Date.UTC(y, m - 1, d));
    return m >= 1 && m <= 12 && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
  }

  function submit() {
    var body = JSON.stringify({ fields: state.fields, resume: state.resume, follow_company: state.follow_company });
    fetch('/replica/api/submit/' + job.id, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body })
      .then(function (r) { if (!r.ok) throw new Error('submit failed'); return r.json(); })
      .then(function (answer) {
        var after = answer && AFTER_SUBMIT[answer.after_submit];
        if (after) after(); else sent();
      });
  }

  // LinkedIn's answer to a submission: the confirmation
  function sent() {
    if (gen === 'sdui-2026-10') {
      history.pushState({}, '', '/jobs/view/' + job.id + '/post-apply/?openSDUIApplyFlow=true');
      state.content.innerHTML = '<div class="_pa1b2"><p class="_pt3c4">' + T('Your application was sent to {}', job.company) +
        '</p><p class="_ps5d6">' + T('You can keep track of it in My jobs.') + '</p></div>';
      state.form = null;
      return;
    }
    state.content.innerHTML = gen === 'dialog-2026-09'
      ? '<h3 class="_n8b2d4">' + T('Your application was sent to {}!', job.company) + '</h3>'
      : '<div data-test-easy-apply-post-apply-modal><h3 class="jpac-modal-header t-20">' + T('Your application was sent to {}!', job.company) + '</h3></div>';
    state.form = null;
    document.getElementById('artdeco-toasts').innerHTML = '<div class="artdeco-toast-item" role="alert"><p>' + T('Application sent') + '</p></div>';
  }

  // a dialog between Submit and the confirmation, which comes once it is declined;
  // its accept control is recorded (a click labelled after-submit:accept) and leads nowhere
  function afterButton(text, accept, cls) {
    return '<button type="button" class="' + cls + '" data-replica-action="after-' + (accept ? 'accept' : 'decline') +
      '" data-replica-label="after-submit:' + (accept ? 'accept' : 'decline') + '">' + T(text) + '</button>';
  }
  var AFTER_SUBMIT = {
    // a Premium upsell over the form, with a close ×
    premium: function () {
      var body = '<h2 id="after-title">' + T('Stand out with Premium') + '</h2>' +
        afterButton('Try Premium for free', true, 'artdeco-button artdeco-button--primary _1d4e5f _8b2c9a') +
        afterButton('Not now', false, 'artdeco-button _1d4e5f');
      if (gen === 'artdeco-2025' || gen === 'interop-2026-04') {
        var box = document.createElement('div');
        box.className = 'artdeco-modal artdeco-modal--layer-confirmation';
        box.setAttribute('role', 'dialog');
        box.setAttribute('aria-labelledby', 'after-title');
        box.setAttribute('data-replica-after', '');
        box.innerHTML = '<button aria-label="' + T('Dismiss') + '" class="artdeco-modal__dismiss artdeco-button artdeco-button--circle" type="button"' +
          ' data-replica-action="after-decline" data-replica-label="after-submit:decline">&times;</button>' + body;
        (gen === 'artdeco-2025' ? outlet() : state.shadow.querySelector('.artdeco-modal-overlay')).appendChild(box);
      } else {
        nativeDialog('<button type="button" class="_x3c9e0" aria-label="' + T('Close') + '" data-replica-action="after-decline"' +
          ' data-replica-label="after-submit:decline">\u2715</button>' + body,
        { 'class': '_s5b0c8', 'aria-labelledby': 'after-title', 'data-replica-after': '' });
      }
    },
    // the form's own dialog turned into an offer, with no close × of its own
    alerts: function () {
      state.content.innerHTML = '<div class="_al3e1"><h3 class="_n8b2d4">' + T('Get alerts for similar jobs') + '</h3>' +
        afterButton('Turn on alerts', true, '_1d4e5f _8b2c9a') + afterButton('No thanks', false, '_1d4e5f') + '</div>';
    }
  };

  // where an event really happened (inside a shadow root, not its host)
  function origin(e) { return e.composedPath ? e.composedPath()[0] : e.target; }

  var INTERSTITIALS = {
    labelled: function () {
      showDialog('<div class="artdeco-modal jobs-apply-button--safety-reminder" role="dialog"><h2>' + T('Job search safety reminder') + '</h2>' +
        '<p>' + T('Be careful of job offers that ask for payment.') + '</p>' +
        '<button class="artdeco-button artdeco-button--primary" aria-label="' + T('Continue applying') + '" type="button" data-replica-action="continue">' + T('Continue applying') + '</button></div>');
    },
    // 2026: hashed classes, no aria-label, the name is the text
    text: function () {
      showDialog('<div class="_3f9a1c _b72e0d" role="dialog" aria-labelledby="sr-title"><h2 id="sr-title" class="_9c1d2e">' + T('Job search safety reminder') + '</h2>' +
        '<p class="_4e8f1a">' + T('Be careful of job offers that ask for payment or personal financial information.') + '</p>' +
        '<div class="_7a0b3c"><button class="_1d4e5f _8b2c9a" type="button" data-replica-action="continue"><span>' + T('Continue\u00a0applying') + '</span></button></div></div>');
    },
    qualifications: function () {
      showDialog('<div class="_3f9a1c _b72e0d" role="dialog" aria-labelledby="qn-title"><h2 id="qn-title" class="_9c1d2e">' + T('Your profile is missing some required qualifications') + '</h2>' +
        '<p class="_4e8f1a">' + T('You can still apply, but the hiring team may prefer other applicants.') + '</p>' +
        '<div class="_7a0b3c"><button class="_1d4e5f" type="button" data-replica-action="cancel">' + T('Cancel') + '</button>' +
        '<button class="_1d4e5f _8b2c9a" type="button" data-replica-action="continue">' + T('Continue') + '</button></div></div>');
    }
  };

  function applyClicked() {
    if (job.signal) {
      var p = document.createElement('p');
      p.className = 'artdeco-inline-feedback__message';
      p.textContent = T(job.signal);
      showDialog('<div class="artdeco-modal" role="dialog"><div class="artdeco-modal__content"><h2>' + T('Easy Apply') + '</h2>' +
        p.outerHTML + '</div></div>');
      return;
    }
    nextInterstitialOrForm();
  }
  function nextInterstitialOrForm() {
    var kind = job.interstitials[state.passed];
    if (kind) { INTERSTITIALS[kind](); return; }
    closeAll();
    openModal();
  }

  function askToSave() {
    if (gen === 'artdeco-2025') {
      var confirm = document.createElement('div');
      confirm.className = 'artdeco-modal artdeco-modal--layer-confirmation';
      confirm.setAttribute('role', 'alertdialog');
      confirm.innerHTML = '<h2>' + T('Save this application?') + '</h2><div class="artdeco-modal__actionbar">' +
        '<button class="artdeco-modal__confirm-dialog-btn artdeco-button artdeco-button--secondary" data-control-name="discard_application_confirm_btn" type="button" data-replica-action="discard">' + T('Discard') + '</button>' +
        '<button class="artdeco-modal__confirm-dialog-btn artdeco-button artdeco-button--primary" data-control-name="save_application_btn" type="button" data-replica-action="save">' + T('Save') + '</button></div>';
      outlet().appendChild(confirm);
    } else if (gen === 'interop-2026-04') {
      var box = document.createElement('div');
      box.className = 'artdeco-modal artdeco-modal--layer-confirmation';
      box.setAttribute('role', 'alertdialog');
      box.setAttribute('aria-labelledby', 'save-title');
      box.innerHTML = '<h2 id="save-title" data-test-dialog-title>' + T('Save this application?') + '</h2><p>' + T('Save to return to this application later.') + '</p>' +
        '<button class="artdeco-button" data-test-dialog-secondary-btn type="button" data-replica-action="discard">' + T('Discard') + '</button>' +
        '<button class="artdeco-button artdeco-button--primary" data-test-dialog-primary-btn type="button" data-replica-action="save">' + T('Save') + '</button>';
      state.shadow.querySelector('.artdeco-modal-overlay').appendChild(box);
    } else {
      nativeDialog('<h2 id="save-title" class="_n8b2d4">' + T('Save this application?') + '</h2><p class="_4e8f1a">' + T('Save to return to this application later.') + '</p>' +
        '<div class="_7a0b3c"><button type="button" class="_1d4e5f" data-replica-action="discard">' + T('Discard') + '</button>' +
        '<button type="button" class="_1d4e5f _8b2c9a" data-replica-action="save">' + T('Save') + '</button></div>',
      { role: 'alertdialog', 'aria-labelledby': 'save-title', 'class': '_s5b0c8' });
    }
  }

  var LABELLED_ACTIONS = {};
  [['Continue applying', 'continue'], ['Continue to next step', 'next'], ['Review your application', 'next'],
   ['Submit application', 'submit'], ['Dismiss', 'dismiss']].forEach(function (a) { LABELLED_ACTIONS[T(a[0])] = a[1]; });
  function act(t, action) {
    if (action === 'continue') { state.passed += 1; nextInterstitialOrForm(); return; }
    if (action === 'cancel') { closeAll(); return; }
    if (action === 'next') { if (collectStep()) { state.step += 1; renderStep(); } return; }
    if (action === 'submit') { if (collectStep()) { t.disabled = true; submit(); } return; }
    if (action === 'dismiss') { if (state.form) askToSave(); else closeAll(); return; }
    if (action === 'after-decline') {
      document.querySelectorAll('[data-replica-after]').forEach(function (d) { if (d.close) d.close(); d.remove(); });
      if (state.shadow) state.shadow.querySelectorAll('[data-replica-after]').forEach(function (d) { d.remove(); });
      sent();
      return;
    }
    if (action === 'after-accept') { document.body.insertAdjacentHTML('beforeend', '<p>' + T('Redirecting…') + '</p>'); return; }
    if (action === 'discard') { fetch('/replica/api/discard/' + job.id, { method: 'POST' }); closeAll(); return; }
    // Save is never what the worker should click: the replica records it
    if (action === 'save') { fetch('/replica/api/save/' + job.id, { method: 'POST' }); closeAll(); }
  }

  // what the page received from its user (clicks, typing, choices), for tests to tell
  // which browser acted when: one id per page load
  var PAGE_ID = Math.random().toString(36).slice(2, 10);
  ['click', 'input', 'change'].forEach(function (type) {
    document.addEventListener(type, function (e) {
      if (!e.isTrusted || !job) return;
      var el = origin(e);
      var field = el.closest ? el.closest('[data-replica-label]') : null;
      var label = field ? field.getAttribute('data-replica-label') : '';
      fetch('/replica/api/event/' + job.id + '?kind=' + type + '&label=' + encodeURIComponent(label) +
        '&page=' + PAGE_ID, { method: 'POST', keepalive: true });
    }, true);
  });

  var typeaheadTimer = null;
  var handlers = {
    input: function (e) {
      var el = origin(e);
      if (el.getAttribute && el.getAttribute('data-replica-typeahead') === 'true') {
        clearTimeout(typeaheadTimer);
        typeaheadTimer = setTimeout(function () {
          var q = el.value.toLowerCase().trim();
          var list = el.parentNode.querySelector('[role="listbox"]');
          var hits = q ? CITIES.filter(function (c) { return c.toLowerCase().indexOf(q) === 0; }) : [];
          var cls = gen === 'dialog-2026-09' ? '_v4b9d2' : 'basic-typeahead__selectable';
          list.innerHTML = hits.map(function (c) { return '<div class="' + cls + '" role="option">' + c + '</div>'; }).join('');
          el.setAttribute('aria-expanded', hits.length ? 'true' : 'false');
        }, 300);
      }
    },
    change: function (e) {
      var el = origin(e);
      if (el.getAttribute && el.getAttribute('data-replica-resume') === 'true' && el.files.length && gen === 'sdui-2026-10') {
        // a new card, selected: LinkedIn's own sign that the upload took
        var up = el.files[0];
        state.uploaded = { name: up.name, size: up.size };
        var list = el.closest('[data-replica-q]').querySelector('[data-replica-documents]');
        var n = list.children.length;
        var card = document.createElement('div');
        card.setAttribute('componentkey', 'easyApplyUploadedResume_' + n);
        card.className = '_rc4d2';
        card.innerHTML = '<input type="radio" id="sdui-up-' + n + '" name="sdui-resume" value="urn:li:fsd_resume:up' + n +
          '" aria-label="' + T('Select this resume') + '" data-replica-text="' + up.name + '" checked><label for="sdui-up-' + n +
          '" class="_lb7c2"></label><div class="_rt0e5"><p class="_fn1c8">' + up.name + '</p><p class="_fd6a3">' + T('Uploaded just now') + '</p></div>';
        list.appendChild(card);
        return;
      }
      if (el.type === 'file' && el.getAttribute('data-replica-resume') !== 'true' && el.files.length) {
        // LinkedIn shows an uploaded file's name beside its input
        el.closest('[data-replica-q]').querySelector('[data-replica-uploaded]').innerHTML =
          '<h3 class="jobs-document-upload-redesign-card__file-name">' + el.files[0].name + '</h3>';
        return;
      }
      if (el.getAttribute && el.getAttribute('data-replica-resume') === 'true' && el.files.length) {
        var f = el.files[0];
        state.resume = { name: f.name, size: f.size };
        el.closest('[data-replica-q]').querySelector('[data-replica-documents]').innerHTML =
          '<div class="jobs-document-upload-redesign-card__container jobs-document-upload-redesign-card__container--selected">' +
          '<h3 class="jobs-document-upload-redesign-card__file-name">' + f.name + '</h3></div>';
      }
    },
    submit: function (e) { e.preventDefault(); },
    click: function (e) {
      var from = origin(e);
      var t = from.closest ? from.closest('button, a[data-job-id], [role="option"], [role="radio"]') : null;
      if (!t) return;
      if (t.getAttribute('role') === 'radio') {
        // a search filter pill: it leaves the job page, as on LinkedIn
        e.preventDefault();
        location.href = '/jobs/search/?f_AL=true';
        return;
      }
      if (t.getAttribute('role') === 'option') {
        var input = t.closest('[data-replica-typeahead-box]').querySelector('input');
        input.value = t.textContent;
        input.setAttribute('aria-expanded', 'false');
        t.parentNode.innerHTML = '';
        input.dispatchEvent(new Event('change', { bubbles: true }));
        return;
      }
      e.preventDefault();
      if (t.hasAttribute('data-job-id')) { applyClicked(); return; }
      act(t, t.getAttribute('data-replica-action') || LABELLED_ACTIONS[t.getAttribute('aria-label')] || '');
    }
  };
  Object.keys(handlers).forEach(function (type) { document.addEventListener(type, handlers[type]); });
})();
