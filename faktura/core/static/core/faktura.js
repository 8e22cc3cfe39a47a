// Faktura's small amount of page behaviour: the shared dialog, copy to the clipboard, and
// clear messages when a background request fails. Everything else is HTMX attributes.
(function () {
  "use strict";

  function modal() {
    return bootstrap.Modal.getOrCreateInstance(document.getElementById("dialog"));
  }

  function flash(text, kind) {
    const box = document.getElementById("messages");
    const alert = document.createElement("div");
    alert.className = "alert alert-" + (kind || "info") + " alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.appendChild(close);
    box.appendChild(alert);
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (err) {
      // Without clipboard permission (plain http, some browsers), fall back to a selection copy.
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "dialog-content") {
      modal().show();
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail.xhr;
    let text = xhr.responseText || "";
    // Error pages are HTML; show only their message.
    const doc = new DOMParser().parseFromString(text, "text/html");
    const reason = doc.querySelector("[data-error-reason]");
    text = reason ? reason.textContent.trim() : "The request failed (" + xhr.status + "). Please try again.";
    flash(text, "danger");
    if (document.getElementById("dialog").classList.contains("show")) modal().hide();
  });

  // data-copy="text" copies that text; data-copy-text="#id" copies the (possibly edited)
  // text of that element; data-copied is the message shown afterwards.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy], [data-copy-text]");
    if (!button) return;
    event.preventDefault();
    let text = button.getAttribute("data-copy");
    let done = "Link copied: " + text;
    if (text === null) {
      const source = document.querySelector(button.getAttribute("data-copy-text"));
      if (!source) return;
      text = source.value !== undefined ? source.value : source.textContent;
      done = button.getAttribute("data-copied") || "Copied.";
    }
    copyText(text).then(function () {
      flash(done, "success");
    });
  });

  // An Insert picker's choice goes into the composer's message at the cursor.
  document.addEventListener("click", function (event) {
    const choice = event.target.closest("[data-insert-text]");
    if (!choice) return;
    const body = choice.closest("form").querySelector("[data-composer-body]");
    if (!body) return;
    event.preventDefault();
    const text = choice.getAttribute("data-insert-text");
    const at = body.selectionStart ?? body.value.length;
    body.value = body.value.slice(0, at) + text + body.value.slice(body.selectionEnd ?? at);
    body.focus();
    body.selectionStart = body.selectionEnd = at + text.length;
    document.getElementById("insert-picker").replaceChildren();
  });

  // "Select all" checkboxes tick every row checkbox of their table.
  document.addEventListener("change", function (event) {
    const all = event.target.closest("[data-select-all]");
    if (!all) return;
    const table = all.closest("table");
    table.querySelectorAll("input[data-row-select]").forEach(function (box) {
      box.checked = all.checked;
    });
    table.dispatchEvent(new Event("selection-changed", { bubbles: true }));
  });

  // data-progress="40" sets a progress bar's width (a style attribute would break the CSP).
  function showProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-progress") + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    showProgress(document);
  });
  document.addEventListener("htmx:load", function (event) {
    showProgress(event.detail.elt);
  });
})();
