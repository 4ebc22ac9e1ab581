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
