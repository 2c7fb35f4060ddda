// Reads the page with the selectors of the site file (passed as SPEC) and reports
// what it shows; tags the elements the driver may act on with data-autoapply.
// Site knowledge stays in selectors/*.toml: this script only applies it.
(function (SPEC) {
  'use strict';
  function visible(el) {
    if (!el || !el.getClientRects || el.getClientRects().length === 0) return false;
    var s = window.getComputedStyle(el);
    return s.visibility !== 'hidden' && s.display !== 'none';
  }
  function query(root, css) {
    try { return Array.prototype.slice.call(root.querySelectorAll(css)); } catch (e) { return []; }
  }
  // the matches of the first selector that matches (visible ones unless anyVisibility)
  function all(selectors, root, anyVisibility) {
    for (var i = 0; i < selectors.length; i++) {
      var hits = query(root || document, selectors[i]).filter(function (el) { return anyVisibility || visible(el); });
      if (hits.length) return hits;
    }
    return [];
  }
  function first(selectors, root, anyVisibility) { return all(selectors, root, anyVisibility)[0] || null; }
  function norm(s) { return (s || '').replace(/\s+/g, ' ').trim(); }
  // text as phrases are compared (site::check::fold_text does the same): lower case,
  // typographic quotes as straight ones, an ellipsis as three dots, white space
  // (NBSP included) as one space
  function fold(s) {
    return norm((s || '').replace(/[\u2018\u2019\u201B\u2032\u00B4`]/g, "'")
      .replace(/[\u201C\u201D\u201E\u2033]/g, '"').replace(/\u2026/g, '...')
      .replace(/[\u00A0\u202F]/g, ' ')).toLowerCase();
  }
  // case-insensitive phrase match, `*` = any text within the same sentence
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
  function tag(el, name) { if (el) el.setAttribute('data-autoapply', name); }

  query(document, '[data-autoapply]').forEach(function (el) { el.removeAttribute('data-autoapply'); });

  var url = location.href;
  var bodyText = document.body ? document.body.innerText || '' : '';
  var sm = SPEC.session_markers, job = SPEC.job, md = SPEC.modal, fs = SPEC.fields, oc = SPEC.outcome;
  var obs = {
    url: url,
    logged_in: !!first(sm.logged_in),
    captcha: !!first(sm.captcha, document, true),
    login_wall: sm.login_url_fragments.some(function (f) { return location.pathname.indexOf(f) === 0; }),
    checkpoint: sm.checkpoint_url_fragments.some(function (f) { return location.pathname.indexOf(f) >= 0; }),
    job_loaded: !!first(job.loaded),
    easy_apply: false,
    external_apply: !!first(job.external_apply),
    already_applied: !!first(job.already_applied) || anyText(bodyText, job.already_applied_texts),
    closed: !!first(job.closed) || anyText(bodyText, job.closed_texts),
    safety_reminder: false,
    daily_limit: anyText(bodyText, oc.daily_limit_texts),
    throttled: anyText(bodyText, oc.throttle_texts),
    confirmation: !!first(oc.confirmation) || anyText(bodyText, oc.confirmation_texts),
    modal: null,
    suggestions: []
  };
  var entry = first(job.easy_apply);
  if (entry) { obs.easy_apply = true; tag(entry, 'easy_apply'); }
  // by the site's selectors, else (2026: hashed classes, no aria-label) the button of a
  // dialog whose own text is one of the reminder's phrases
  var reminder = first(job.safety_reminder_continue) || query(document, '[role=dialog] button, [role=alertdialog] button, dialog[open] button')
    .filter(function (b) {
      var t = fold(b.innerText || b.textContent || '');
      return visible(b) && job.safety_reminder_texts.some(function (p) { return t === fold(p); });
    })[0] || null;
  if (reminder && anyText(bodyText, job.safety_reminder_texts)) { obs.safety_reminder = true; tag(reminder, 'continue'); }

  var modal = first(md.root);
  var discard = first(md.discard);
  if (discard) tag(discard, 'discard');
  if (modal) {
    var m = { fields: [], next: false, review: false, submit: false, dismiss: false, discard: !!discard,
              errors: [], documents: [], document_selected: false };
    [['next', md.next], ['review', md.review], ['submit', md.submit], ['dismiss', md.dismiss]].forEach(function (b) {
      var el = first(b[1], modal);
      if (el && !el.disabled) { m[b[0]] = true; tag(el, b[0]); }
    });
    m.errors = all(md.inline_errors, modal).map(function (e) { return norm(e.innerText); }).filter(Boolean)
      .filter(function (t, i, a) { return a.indexOf(t) === i; });
    m.documents = all(fs.uploaded_documents, modal).map(function (e) { return norm(e.innerText); });
    m.document_selected = !!first(fs.selected_document, modal, true);
    var form = first(md.form, modal) || modal;
    var handle = 0;
    all(fs.containers, form).forEach(function (box) {
      // a container inside another container is the same question
      if (box.parentElement && box.parentElement.closest && fs.containers.some(function (c) {
        try { var outer = box.parentElement.closest(c); return outer && form.contains(outer) && outer !== form; } catch (e) { return false; }
      })) return;
      var field = { handle: handle, label: '', kind: 'unknown', required: false, options: [], value: '' };
      var control = null;
      var labelEl = first(fs.labels, box, true);
      if (labelEl) {
        var hiddenDup = labelEl.querySelector('span[aria-hidden="true"]:not(.fb-dash-form-element__label-title--is-required)');
        var raw = hiddenDup ? hiddenDup.innerText || hiddenDup.textContent : labelEl.innerText || labelEl.textContent;
        field.label = norm(raw).replace(/\s*\*\s*$/, '').replace(/\s*Required\s*$/i, '');
        if (/\*/.test(labelEl.textContent || '')) field.required = true;
      }
      var follow = first(fs.follow_company, box, true);
      var file = first(fs.file, box, true);
      var radioGroup = all(fs.radio_group, box, true).filter(function (g) { return all(fs.radio_inputs, g, true).length; })[0];
      var checkGroup = all(fs.checkbox_group, box, true).filter(function (g) { return all(fs.checkbox_inputs, g, true).length; })[0];
      function options(group, inputs) {
        all(inputs, group, true).forEach(function (input, k) {
          var lab = input.id ? group.querySelector('label[for="' + CSS.escape(input.id) + '"]') : null;
          field.options.push(norm(lab ? lab.innerText || lab.textContent : input.value));
          tag(lab && visible(lab) ? lab : input, 'field-' + handle + '-opt-' + k);
          if (input.checked) field.value = field.value ? field.value + ', ' + field.options[k] : field.options[k];
          if (input.required || input.getAttribute('aria-required') === 'true') field.required = true;
        });
      }
      if (follow) {
        field.kind = 'follow_company'; control = follow; field.value = follow.checked ? 'true' : 'false';
        if (!field.label) field.label = 'Follow company';
      } else if (file) {
        field.kind = 'file'; control = file;
      } else if (radioGroup) {
        field.kind = 'radio'; control = radioGroup; options(radioGroup, fs.radio_inputs);
      } else if (checkGroup) {
        field.kind = 'checkbox'; control = checkGroup; options(checkGroup, fs.checkbox_inputs);
      } else if ((control = first(fs.select, box, true))) {
        field.kind = 'select';
        var placeholders = fs.select_placeholder_texts.map(function (t) { return t.toLowerCase(); });
        Array.prototype.forEach.call(control.options, function (o) {
          if (placeholders.indexOf(norm(o.text).toLowerCase()) < 0) field.options.push(norm(o.text));
        });
        var sel = control.options[control.selectedIndex];
        field.value = sel && placeholders.indexOf(norm(sel.text).toLowerCase()) < 0 ? norm(sel.text) : '';
      } else if ((control = first(fs.typeahead, box, true))) {
        field.kind = 'typeahead'; field.value = control.value || '';
      } else if ((control = first(fs.date, box, true))) {
        field.kind = 'date'; field.value = control.value || '';
      } else if ((control = first(fs.textarea, box, true))) {
        field.kind = 'textarea'; field.value = control.value || '';
      } else if ((control = first(fs.text, box, true))) {
        field.kind = 'text'; field.value = control.value || '';
      }
      if (control) {
        tag(control, 'field-' + handle);
        if (control.required || control.getAttribute('aria-required') === 'true') field.required = true;
      }
      if (!field.label && !control) return;
      m.fields.push(field);
      handle += 1;
    });
    // the follow box may sit outside every question (the review step's footer), with
    // a generated id: found by the site's selectors, else by its label's text
    if (!m.fields.some(function (f) { return f.kind === 'follow_company'; })) {
      var followBox = first(fs.follow_company, modal, true) || query(modal, 'input[type=checkbox]').filter(function (input) {
        var lab = (input.id && modal.querySelector('label[for="' + CSS.escape(input.id) + '"]')) || input.closest('label');
        return lab && anyText(lab.innerText || lab.textContent || '', fs.follow_company_texts);
      })[0];
      if (followBox) {
        tag(followBox, 'field-' + handle);
        m.fields.push({ handle: handle, label: 'Follow company', kind: 'follow_company', required: false,
                        options: [], value: followBox.checked ? 'true' : 'false' });
        handle += 1;
      }
    }
    obs.modal = m;
  }
  all(fs.typeahead_suggestions).forEach(function (s, k) {
    obs.suggestions.push(norm(s.innerText || s.textContent));
    tag(s, 'suggestion-' + k);
  });
  return obs;
})
