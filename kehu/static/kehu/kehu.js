/* Kehu: small behaviours shared by every page. */
(function () {
  "use strict";

  function showToasts(root) {
    (root || document).querySelectorAll(".toast:not(.showing):not(.show)").forEach(function (el) {
      bootstrap.Toast.getOrCreateInstance(el).show();
    });
  }

  // The confirmation dialog: a Bootstrap modal in base.html (#kehu-confirm), focus on "OK", Esc cancels.
  function askConfirm(text, count) {
    var el = document.getElementById("kehu-confirm");
    if (!el || !window.bootstrap) { return Promise.resolve(true); }  // every page extends base.html, which has it
    el.querySelector("[data-confirm-text]").textContent = text;
    var counter = el.querySelector("[data-confirm-count]");
    counter.textContent = count === null || count === undefined ? "" : counter.dataset.template.replace("{count}", count);
    var modal = bootstrap.Modal.getOrCreateInstance(el);
    return new Promise(function (resolve) {
      var answered = false;
      var ok = el.querySelector("[data-confirm-ok]");
      function onOk() { answered = true; modal.hide(); }
      ok.addEventListener("click", onOk, { once: true });
      el.addEventListener("shown.bs.modal", function () { ok.focus(); }, { once: true });
      el.addEventListener("hidden.bs.modal", function () { ok.removeEventListener("click", onOk); resolve(answered); }, { once: true });
      modal.show();
    });
  }
  window.kehuConfirm = askConfirm;
  // A select marked data-autosubmit sends its form when changed (no inline handler: the CSP forbids them).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select.matches && select.matches("select[data-autosubmit]"))) { return; }
    var clear = select.dataset.autosubmitClear;  // a field that no longer applies (e.g. the period index)
    if (clear && select.form.elements[clear]) { select.form.elements[clear].value = ""; }
    select.form.submit();
  });

  // "Go back" on the error pages: the previous page when there is one, else the link's own target.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-go-back]");
    if (link && window.history.length > 1) { event.preventDefault(); window.history.back(); }
  });

  // No double submits: a form's buttons are disabled while it is being sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Pages that care (approval steps marked "PC only") learn which layout the form was sent from.
    var layout = form.querySelector("input[name=layout]");
    if (layout) { layout.value = window.matchMedia("(max-width: 767.98px)").matches ? "phone" : "pc"; }
    // In-app confirmation (never the browser's own dialog): the submitter's data-confirm, else the form's.
    var submitter = event.submitter;
    var question = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (question && !form.dataset.confirmed) {
      event.preventDefault();
      var count = submitter && submitter.dataset.confirmCount ? form.querySelectorAll(submitter.dataset.confirmCount).length : null;
      askConfirm(question, count).then(function (ok) {
        if (!ok) return;
        form.dataset.confirmed = "1";
        if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
        delete form.dataset.confirmed;
      });
      return;
    }
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = true;
        b.classList.add("is-busy");
      });
    }, 0);
  });

  // Pages restored from the back/forward cache get their buttons back.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll(".is-busy").forEach(function (b) {
      b.disabled = false;
      b.classList.remove("is-busy");
    });
  });

  // Row checkboxes: "select all" and the count shown in batch-action bars.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("[data-check-all]")) {
      document.querySelectorAll(el.dataset.checkAll).forEach(function (box) { box.checked = el.checked; });
      // the boxes were ticked after the form's own change handler counted them: let it count again
      if (el.form) el.form.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  document.addEventListener("DOMContentLoaded", function () { showToasts(); });
  document.addEventListener("htmx:afterSwap", function (event) { showToasts(event.target); });
})();
