// Line-item forms of deals, quotes and invoices: the product picker fills a line, and
// "Add line" adds a row in place. Without JavaScript the same form works through the server.
(function () {
  "use strict";

  // Choosing a product fills the line's name, unit price and tax rate from the product.
  document.addEventListener("change", function (event) {
    const picker = event.target.closest("[data-product-picker]");
    if (!picker) return;
    const option = picker.selectedOptions[0];
    const row = picker.closest("[data-line]");
    if (!option || !option.value || !row) return;
    const set = function (suffix, value) {
      const input = row.querySelector("[name$='-" + suffix + "']");
      if (input && value !== undefined) input.value = value;
    };
    set("name", option.dataset.name);
    set("unit_price", option.dataset.price);
    set("tax_rate", option.dataset.tax);
    // The previous product's SKU and description are not this product's.
    set("sku", "");
    set("description", "");
  });

  // At the most lines a document may have, "Add line" is off and the editor says why.
  const markLimit = function (form, rows) {
    const max = parseInt((form.querySelector("input[name$='-MAX_NUM_FORMS']") || {}).value, 10);
    const full = Number.isInteger(max) && rows >= max;
    const button = form.querySelector("[data-add-line]");
    const notice = form.querySelector("[data-lines-limit]");
    if (button) button.disabled = full;
    if (notice) notice.hidden = !full;
    return full;
  };

  // "Add line" adds an empty row in place instead of sending the form.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-add-line]");
    if (!button) return;
    const form = button.closest("form");
    const template = form.querySelector("template[data-line-template]");
    const total = form.querySelector("input[name$='-TOTAL_FORMS']");
    if (!template || !total) return;
    event.preventDefault();
    const index = parseInt(total.value, 10) || 0;
    if (markLimit(form, index)) return;
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    form.querySelector("[data-lines]").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    markLimit(form, index + 1);
    const rows = form.querySelectorAll("[data-lines] [data-line]");
    const name = rows[rows.length - 1].querySelector("[name$='-name']");
    if (name) name.focus();
  });
})();
