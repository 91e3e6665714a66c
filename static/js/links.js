// Follows a click on a chart to the page it names: a map county (its trace's meta, or a label's customdata) or a
// heat-map cell (its customdata). Loaded after charts.js, which has drawn the charts by then.
(function () {
  function follow(event) {
    var pt = event && event.points && event.points[0];
    if (!pt) return;
    var url = pt.customdata || (pt.data && pt.data.meta);
    if (typeof url === "string" && url.charAt(0) === "/") window.location.assign(url);
  }
  function attach() {
    document.querySelectorAll("[data-follow-links]").forEach(function (el) {
      if (el.on && !el.dataset.linked) { el.on("plotly_click", follow); el.dataset.linked = "1"; }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", attach); else attach();
  window.addEventListener("load", attach);
})();
