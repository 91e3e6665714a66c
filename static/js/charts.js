// Draws every Plotly figure the server handed to the page as JSON: <script type="application/json" data-chart="id">.
//
// Kept light for the main thread (docs/lighthouse.md): drawing a chart takes 50–300 ms, so every chart is drawn in
// a task of its own when it comes into the viewport (IntersectionObserver): charts below the fold or inside a
// closed <details> cost nothing until they are looked at, and are drawn at their real width.
// A drawn chart's element gets data-drawn="1" and fires a bubbling "chart:drawn" event (links.js listens to it).
(function () {
  var pending = [];

  function draw(node) {
    var target = document.getElementById(node.dataset.chart);
    if (!target || target.dataset.drawn || !window.Plotly) return;
    var fig = JSON.parse(node.textContent);
    window.Plotly.newPlot(target, fig.data, fig.layout, {responsive: true, displaylogo: false});
    target.dataset.drawn = "1";
    target.dispatchEvent(new CustomEvent("chart:drawn", {bubbles: true}));
  }

  function drawNext() {
    var node = pending.shift();
    if (node) draw(node);
    if (pending.length) setTimeout(drawNext, 0);
  }

  function queue(node) {
    if (pending.indexOf(node) < 0) pending.push(node);
    if (pending.length === 1) setTimeout(drawNext, 0);
  }

  function start() {
    var later = [];
    document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (node) {
      var target = document.getElementById(node.dataset.chart);
      if (!target) return;
      if (!("IntersectionObserver" in window)) draw(node);
      else later.push(node);
    });
    if (!later.length) return;
    var byTarget = new Map();
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        queue(byTarget.get(entry.target));
      });
    }, {rootMargin: "0px"});
    later.forEach(function (node) {
      var target = document.getElementById(node.dataset.chart);
      byTarget.set(target, node);
      observer.observe(target);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
