// The replica's client side: LinkedIn's Easy Apply modal behaviour (steps, inline
// validation, typeahead, résumé upload, discard dialog, confirmation), rendered with
// LinkedIn's real markup from the <template> steps of the job page.
(function () {
  'use strict';
  var CITIES = ['London, England, United Kingdom', 'Lisbon, Lisbon, Portugal', 'Berlin, Berlin, Germany', 'Bern, Bern, Switzerland'];
  var jobEl = document.getElementById('replica-job');
  var job = jobEl ? JSON.parse(jobEl.textContent) : null;
  var state = { step: 0, fields: {}, resume: null, follow_company: null, reminded: false };

  var slow = document.querySelector('[data-replica-slow]');
  if (slow) {
    setTimeout(function () {
      var t = document.getElementById('replica-top-card');
      slow.appendChild(t.content.cloneNode(true));
    }, Number(slow.getAttribute('data-replica-slow')));
  }

  function outlet() { return document.getElementById('artdeco-modal-outlet'); }
  function closeAll() { outlet().innerHTML = ''; }

  function showDialog(html) {
    outlet().innerHTML = '<div class="artdeco-modal-overlay artdeco-modal-overlay--is-top-layer">' + html + '</div>';
  }

  function openModal() {
    state.step = 0; state.fields = {}; state.resume = null;
    showDialog('<div class="artdeco-modal jobs-easy-apply-modal" role="dialog" aria-labelledby="jobs-apply-header" data-test-modal>' +
      '<button aria-label="Dismiss" class="artdeco-modal__dismiss artdeco-button artdeco-button--circle" type="button">&times;</button>' +
      '<div class="artdeco-modal__header"><h2 id="jobs-apply-header">Apply to ' + job.company + '</h2>' +
      '<span class="replica-progress" role="progressbar"></span></div>' +
      '<div class="jobs-easy-apply-modal__content jobs-easy-apply-content"><form></form></div></div>');
    renderStep();
  }

  function renderStep() {
    var form = document.querySelector('.jobs-easy-apply-modal form');
    var t = document.querySelector('template[data-replica-step="' + state.step + '"]');
    form.innerHTML = '';
    form.appendChild(t.content.cloneNode(true));
    document.querySelector('.replica-progress').textContent = Math.round(100 * state.step / job.steps) + '%';
  }

  function setError(input, message) {
    var holder = input.closest('.fb-dash-form-element');
    if (!holder) return;
    var box = holder.querySelector('.replica-error');
    if (!message) { box.hidden = true; box.innerHTML = ''; return; }
    box.hidden = false;
    box.innerHTML = '<div class="artdeco-inline-feedback artdeco-inline-feedback--error" role="alert">' +
      '<span class="artdeco-inline-feedback__message" data-test-form-element-error-message>' + message + '</span></div>';
  }

  // validates the current step; collects its answers into state when valid
  function collectStep() {
    var form = document.querySelector('.jobs-easy-apply-modal form');
    var ok = true;
    var values = {};
    form.querySelectorAll('[data-replica-label]').forEach(function (el) {
      var label = el.getAttribute('data-replica-label');
      var required = el.hasAttribute('required') || el.getAttribute('data-replica-required') === 'true';
      var value = '';
      var error = null;
      if (el.tagName === 'FIELDSET') {
        var checked = Array.prototype.filter.call(el.querySelectorAll('input'), function (i) { return i.checked; });
        value = checked.map(function (i) { return i.value; }).join(', ');
        if (required && !value) error = 'Please make a selection';
      } else if (el.id === 'follow-company-checkbox' || el.getAttribute('data-replica-follow') === 'true') {
        value = el.checked ? 'true' : 'false';
        state.follow_company = el.checked;
      } else if (el.getAttribute('data-replica-resume') === 'true') {
        value = state.resume ? state.resume.name : '';
        if (!value) error = 'A resume is required';
      } else if (el.tagName === 'SELECT') {
        value = el.value === 'Select an option' ? '' : el.value;
        if (required && !value) error = 'Please enter a valid answer';
      } else {
        value = el.value;
        var max = el.getAttribute('data-replica-max');
        if (required && !value.trim()) error = 'Please enter a valid answer';
        else if (max !== null && value.trim() && !(/^\d+$/.test(value.trim()) && Number(value) <= Number(max))) {
          error = 'Enter a whole number between 0 and ' + max;
        } else if (el.getAttribute('data-replica-typeahead') === 'true' && value && CITIES.indexOf(value) < 0) {
          error = 'Please select a location from the list';
        }
      }
      setError(el, error);
      if (error) ok = false;
      values[label] = value;
    });
    if (ok) Object.keys(values).forEach(function (k) { state.fields[k] = values[k]; });
    return ok;
  }

  function submit() {
    var body = JSON.stringify({ fields: state.fields, resume: state.resume, follow_company: state.follow_company });
    fetch('/replica/api/submit/' + job.id, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body })
      .then(function (r) { if (!r.ok) throw new Error('submit failed'); return r.json(); })
      .then(function () {
        var content = document.querySelector('.jobs-easy-apply-modal__content');
        content.innerHTML = '<div data-test-easy-apply-post-apply-modal><h3 class="jpac-modal-header t-20">Your application was sent to ' + job.company + '!</h3></div>';
        document.getElementById('artdeco-toasts').innerHTML = '<div class="artdeco-toast-item" role="alert"><p>Application sent</p></div>';
      });
  }

  var typeaheadTimer = null;
  document.addEventListener('input', function (e) {
    var el = e.target;
    if (el.getAttribute && el.getAttribute('data-replica-typeahead') === 'true') {
      clearTimeout(typeaheadTimer);
      typeaheadTimer = setTimeout(function () {
        var q = el.value.toLowerCase().trim();
        var list = el.parentNode.querySelector('[role="listbox"]');
        var hits = q ? CITIES.filter(function (c) { return c.toLowerCase().indexOf(q) === 0; }) : [];
        list.innerHTML = hits.map(function (c) { return '<div class="basic-typeahead__selectable" role="option">' + c + '</div>'; }).join('');
        el.setAttribute('aria-expanded', hits.length ? 'true' : 'false');
      }, 300);
    }
  });

  document.addEventListener('change', function (e) {
    var el = e.target;
    if (el.getAttribute && el.getAttribute('data-replica-resume') === 'true' && el.files.length) {
      var f = el.files[0];
      state.resume = { name: f.name, size: f.size };
      el.closest('.fb-dash-form-element').querySelector('[data-replica-documents]').innerHTML =
        '<div class="jobs-document-upload-redesign-card__container jobs-document-upload-redesign-card__container--selected">' +
        '<h3 class="jobs-document-upload-redesign-card__file-name">' + f.name + '</h3></div>';
    }
  });

  document.addEventListener('submit', function (e) { e.preventDefault(); });

  document.addEventListener('click', function (e) {
    var t = e.target.closest ? e.target.closest('button, [role="option"]') : null;
    if (!t) return;
    if (t.getAttribute('role') === 'option') {
      var input = t.closest('.search-basic-typeahead').querySelector('input');
      input.value = t.textContent;
      input.setAttribute('aria-expanded', 'false');
      t.parentNode.innerHTML = '';
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return;
    }
    e.preventDefault();
    if (t.hasAttribute('data-job-id')) {
      if (job.signal) {
        var p = document.createElement('p');
        p.className = 'artdeco-inline-feedback__message';
        p.textContent = job.signal;
        showDialog('<div class="artdeco-modal" role="dialog"><div class="artdeco-modal__content"><h2>Easy Apply</h2>' +
          p.outerHTML + '</div></div>');
        return;
      }
      if (job.safety_reminder === 'labelled' && !state.reminded) {
        showDialog('<div class="artdeco-modal jobs-apply-button--safety-reminder" role="dialog"><h2>Job search safety reminder</h2>' +
          '<p>Be careful of job offers that ask for payment.</p>' +
          '<button class="artdeco-button artdeco-button--primary" aria-label="Continue applying" type="button">Continue applying</button></div>');
        return;
      }
      if (job.safety_reminder === 'text' && !state.reminded) {
        // 2026: hashed classes, no aria-label, the name is the text
        showDialog('<div class="_3f9a1c _b72e0d" role="dialog" aria-labelledby="sr-title"><h2 id="sr-title" class="_9c1d2e">Job search safety reminder</h2>' +
          '<p class="_4e8f1a">Be careful of job offers that ask for payment or personal financial information.</p>' +
          '<div class="_7a0b3c"><button class="_1d4e5f _8b2c9a" type="button"><span>Continue\u00a0applying</span></button></div></div>');
        return;
      }
      openModal();
      return;
    }
    var label = t.getAttribute('aria-label');
    var text = (t.textContent || '').replace(/\s+/g, ' ').trim();
    if (label === 'Continue applying' || (!label && text === 'Continue applying')) { state.reminded = true; openModal(); return; }
    if (label === 'Continue to next step' || label === 'Review your application') {
      if (collectStep()) { state.step += 1; renderStep(); }
      return;
    }
    if (label === 'Submit application') {
      if (collectStep()) { t.disabled = true; submit(); }
      return;
    }
    if (label === 'Dismiss') {
      if (document.querySelector('[data-test-easy-apply-post-apply-modal]')) { closeAll(); return; }
      var modal = document.querySelector('.jobs-easy-apply-modal');
      if (!modal) { closeAll(); return; }
      var confirm = document.createElement('div');
      confirm.className = 'artdeco-modal artdeco-modal--layer-confirmation';
      confirm.setAttribute('role', 'alertdialog');
      confirm.innerHTML = '<h2>Save this application?</h2><div class="artdeco-modal__actionbar">' +
        '<button class="artdeco-modal__confirm-dialog-btn artdeco-button artdeco-button--secondary" data-control-name="discard_application_confirm_btn" type="button">Discard</button>' +
        '<button class="artdeco-modal__confirm-dialog-btn artdeco-button artdeco-button--primary" data-control-name="save_application_btn" type="button">Save</button></div>';
      outlet().appendChild(confirm);
      return;
    }
    if (t.getAttribute('data-control-name') === 'discard_application_confirm_btn') {
      fetch('/replica/api/discard/' + job.id, { method: 'POST' });
      closeAll();
    }
  });
})();
