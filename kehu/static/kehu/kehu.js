/* Kehu: small behaviours shared by every page. */
(function () {
  "use strict";

  function showToasts(root) {
    (root || document).querySelectorAll(".toast:not(.showing):not(.show)").forEach(function (el) {
      bootstrap.Toast.getOrCreateInstance(el).show();
    });
  }

  // A select marked data-autosubmit sends its form when changed (no inline handler: the CSP forbids them).
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) { event.target.form.submit(); }
  });

  // No double submits: a form's buttons are disabled while it is being sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Pages that care (approval steps marked "PC only") learn which layout the form was sent from.
    var layout = form.querySelector("input[name=layout]");
    if (layout) { layout.value = window.matchMedia("(max-width: 767.98px)").matches ? "phone" : "pc"; }
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
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
