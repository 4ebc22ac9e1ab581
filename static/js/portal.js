// Expand and collapse the union tree. htmx loads a node's children on the first click
// (hx-trigger="click once"); every click toggles whether they are shown.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".tree-toggle");
  if (!toggle) return;
  var slot = toggle.closest("li").querySelector(":scope > .tree-slot");
  var open = toggle.getAttribute("aria-expanded") === "true";
  toggle.setAttribute("aria-expanded", open ? "false" : "true");
  toggle.querySelector("i").className = open ? "bi bi-caret-right-fill" : "bi bi-caret-down-fill";
  if (slot) slot.hidden = open;
});

// Choosing one of many records (unionportal/choices.py): a select that offers only the records
// chosen gets a search box; what is typed asks the server for the first matches by name, which
// replace the options not chosen.
document.querySelectorAll("select[data-choices-url]").forEach(function (select) {
  var search = document.createElement("input");
  search.type = "search";
  search.className = "form-control form-control-sm mb-1";
  search.placeholder = select.dataset.choicesPlaceholder || "";
  search.setAttribute("aria-label", search.placeholder);
  search.setAttribute("data-testid", "choices-search");
  select.parentNode.insertBefore(search, select);
  if (select.multiple && !select.getAttribute("size")) select.size = 8;
  var timer = null;
  var asked = 0;
  function load() {
    var number = ++asked;
    var url = select.dataset.choicesUrl + "&q=" + encodeURIComponent(search.value.trim());
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (number !== asked) return; // an older answer arriving after a newer one
        var kept = {};
        Array.prototype.slice.call(select.options).forEach(function (option) {
          if (option.selected || option.value === "") kept[option.value] = true;
          else option.remove();
        });
        data.results.forEach(function (item) {
          if (!kept[String(item.id)]) select.add(new Option(item.text, item.id));
        });
      });
  }
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(load, 250);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault(); // a search, not the form's submit
  });
  load();
});
