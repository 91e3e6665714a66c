// The main navigation's grouped menus are <details> elements and work without this script. This only keeps one
// menu open at a time and closes an open menu on Escape or on a click outside it.
(function () {
  var groups = Array.prototype.slice.call(document.querySelectorAll("nav.mainnav details.navgroup"));
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (!group.open) return;
      groups.forEach(function (other) { if (other !== group) other.open = false; });
    });
  });
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) { if (group.open && !group.contains(event.target)) group.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups.forEach(function (group) {
      if (!group.open) return;
      group.open = false;
      group.querySelector("summary").focus();
    });
  });
})();
