// The notification bell in the page header: its unread count is fetched after the page has loaded, so that no
// page pays a query for it.
(function () {
  var bell = document.querySelector("[data-bell-url]");
  if (!bell) { return; }
  fetch(bell.getAttribute("data-bell-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data) { return; }
      var badge = bell.querySelector("[data-bell-count]");
      badge.textContent = data.unread > 0 ? String(data.unread) : "";
      bell.setAttribute("title", data.label);  // the visible text stays the accessible name (WCAG 2.5.3)
      bell.classList.toggle("has-unread", data.unread > 0);
    })
    .catch(function () {});
})();
