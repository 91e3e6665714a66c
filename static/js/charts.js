// Draws every Plotly figure the server handed to the page as JSON: <script type="application/json" data-chart="id">.
(function () {
  function draw() {
    document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (node) {
      var target = document.getElementById(node.dataset.chart);
      if (!target || !window.Plotly) return;
      var fig = JSON.parse(node.textContent);
      window.Plotly.newPlot(target, fig.data, fig.layout, {responsive: true, displaylogo: false});
      target.dataset.drawn = "1";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
