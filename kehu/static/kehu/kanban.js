/* The pipeline kanban: drag a card to another stage (PC) or pick the stage from the card's select (phone).
   The move goes through the API (POST /api/opportunities/{id}/move/ with the card's version): the same service
   and stage rules as the form. A refusal lists the missing fields (with a link to fill them in); a stale card
   (moved by someone else meanwhile) is refused with who moved it. */
(function () {
  "use strict";
  var board = document.querySelector("[data-kanban]");
  if (!board) return;
  var alertBox = document.getElementById("kanban-alert");
  var csrf = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken": "([^"]+)"/);
  csrf = csrf ? csrf[1] : "";
  var dragged = null;

  function url(template, id) { return template.replace(/0\/(move\/|edit\/)?$/, id + "/$1"); }

  function show(kind, html) {
    alertBox.className = "alert alert-" + kind;
    alertBox.innerHTML = html;
    alertBox.scrollIntoView({ block: "nearest" });
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function money(value) {
    var n = Number(value) || 0;
    if (Math.abs(n) >= 10000) return "¥" + (n / 10000).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + "万";
    return "¥" + n.toLocaleString("en-US", { maximumFractionDigits: 0 });
  }

  function adjust(stageId, count, amount) {
    board.parentNode.querySelectorAll('[data-count="' + stageId + '"]').forEach(function (el) {
      el.textContent = String(Number(el.textContent) + count);
    });
    var total = board.querySelector('[data-total="' + stageId + '"]');
    if (total) {
      var value = Number(total.dataset.value || 0) + amount;
      total.dataset.value = String(value);
      total.textContent = money(value);
    }
  }

  function move(card, target) {
    var from = card.closest("[data-drop]").dataset.drop;
    if (from === target) return;
    var column = board.querySelector('[data-stage="' + target + '"]');
    card.classList.add("is-moving");
    fetch(url(board.dataset.moveUrl, card.dataset.card), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ stage: Number(target), version: Number(card.dataset.version) })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      card.classList.remove("is-moving");
      if (result.status === 200) {
        var amount = Number(card.dataset.amount || 0);
        card.dataset.version = String(result.body.version);
        var cards = column.querySelector("[data-drop]");
        var empty = cards.querySelector(".kanban-empty");
        if (empty) empty.remove();
        cards.insertBefore(card, cards.firstChild);
        adjust(from, -1, -amount);
        adjust(target, 1, amount);
        var stalled = card.querySelector("[data-badge-stalled]");
        if (stalled) stalled.remove();
        card.querySelectorAll("[data-move-select] option").forEach(function (option) {
          option.hidden = option.value === target;
        });
        var select = card.querySelector("[data-move-select]");
        if (select) select.value = "";
        show("success", escapeHtml(board.dataset.msgMoved.replace("%(stage)s", column.dataset.stageName)));
        return;
      }
      var error = result.body.error || {};
      var fields = error.fields || {};
      var text = (fields.stage || fields.non_field_errors || [error.message || board.dataset.msgFailed]).join(" ");
      var html = '<i class="bi bi-exclamation-circle me-1"></i><span data-refusal>' + escapeHtml(text) + "</span>";
      var missing = Object.keys(fields).filter(function (k) { return k !== "stage" && k !== "non_field_errors"; });
      if (result.status === 400 && missing.length) {
        html += ' <a class="alert-link ms-1" data-fill-link href="' + url(board.dataset.editUrl, card.dataset.card) +
          "?next=kanban">' + escapeHtml(board.dataset.msgFill) + "</a>";
      }
      show(result.status === 409 ? "warning" : "danger", html);
      var select = card.querySelector("[data-move-select]");
      if (select) select.value = "";
    }).catch(function () {
      card.classList.remove("is-moving");
      show("danger", escapeHtml(board.dataset.msgFailed));
    });
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest("[data-card][draggable=true]");
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.card);
    card.classList.add("is-dragging");
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    board.querySelectorAll(".is-over").forEach(function (el) { el.classList.remove("is-over"); });
    dragged = null;
  });
  board.addEventListener("dragover", function (event) {
    var zone = event.target.closest("[data-drop]");
    if (!zone || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".is-over").forEach(function (el) { if (el !== zone) el.classList.remove("is-over"); });
    zone.classList.add("is-over");
  });
  board.addEventListener("drop", function (event) {
    var zone = event.target.closest("[data-drop]");
    if (!zone || !dragged) return;
    event.preventDefault();
    zone.classList.remove("is-over");
    move(dragged, zone.dataset.drop);
  });
  board.addEventListener("change", function (event) {
    var select = event.target.closest("[data-move-select]");
    if (!select || !select.value) return;
    move(select.closest("[data-card]"), select.value);
  });
})();
