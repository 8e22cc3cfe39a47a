// Invoice pages: copying the proposed customer message.
(function () {
  "use strict";

  function flash(text) {
    const box = document.getElementById("messages");
    if (!box) return;
    const alert = document.createElement("div");
    alert.className = "alert alert-success alert-dismissible fade show";
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

  // "Copy message" copies the (possibly edited) text of the element it points at.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy-text]");
    if (!button) return;
    event.preventDefault();
    const source = document.querySelector(button.getAttribute("data-copy-text"));
    if (!source) return;
    const text = source.value !== undefined ? source.value : source.textContent;
    const done = function () { flash(button.getAttribute("data-copied") || "Copied."); };
    const fallback = function () {
      // Without clipboard permission, copy the selection instead.
      source.select();
      document.execCommand("copy");
      done();
    };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
