// A chart drawn inside a closed <details> has no width yet: size it when the section is opened.
document.addEventListener("toggle", function (event) {
  var el = event.target;
  if (el.tagName !== "DETAILS" || !el.open || !window.Plotly) return;
  el.querySelectorAll(".js-plotly-plot").forEach(function (plot) { window.Plotly.Plots.resize(plot); });
}, true);
