// Follows a click on a chart to the page it names: a map county (its trace's meta, or a label's customdata) or a
// heat-map cell (its customdata). Charts with data-follow-links get the handler when charts.js has drawn them.
(function () {
  function follow(event) {
    var pt = event && event.points && event.points[0];
    if (!pt) return;
    var url = pt.customdata || (pt.data && pt.data.meta);
    if (typeof url === "string" && url.charAt(0) === "/") window.location.assign(url);
  }
  function attach(el) {
    if (el && el.hasAttribute("data-follow-links") && el.on && !el.dataset.linked) {
      el.on("plotly_click", follow);
      el.dataset.linked = "1";
    }
  }
  document.addEventListener("chart:drawn", function (event) { attach(event.target); });
  document.querySelectorAll("[data-follow-links][data-drawn]").forEach(attach);
})();
