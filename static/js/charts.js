// Draws every Plotly figure the server handed to the page as JSON: <script type="application/json" data-chart="id">.
//
// Kept light for the main thread (docs/lighthouse.md). plotly.js itself (1.5 MB, a 250–350 ms task to evaluate on
// our reference machine) is not loaded with the page: this script inserts it (its URL is this script's
// data-plotly attribute, so it stays our own hashed static file) when the first chart comes near the viewport.
// Every chart is then drawn in a task of its own once it is near the viewport (IntersectionObserver): charts
// below the fold or inside a closed <details> cost nothing until they are looked at, and are drawn at their real
// width. A page whose charts are never scrolled to never loads plotly.js.
// A drawn chart's element gets data-drawn="1" and fires a bubbling "chart:drawn" event.
(function () {
  var plotlySrc = document.currentScript && document.currentScript.dataset.plotly;
  var NEAR = "0px 0px 200px 0px";   // start a little before the chart scrolls in
  var pending = [];
  var loading = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve();
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = plotlySrc;
        script.onload = resolve;
        script.onerror = function () { loading = null; reject(new Error("plotly.js did not load: " + plotlySrc)); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

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
    loadPlotly().then(function () {
      if (pending.indexOf(node) >= 0) return;
      pending.push(node);
      if (pending.length === 1) setTimeout(drawNext, 0);
    }, function (error) {
      console.error(error.message);
    });
  }

  function start() {
    var nodes = [];
    document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (node) {
      if (document.getElementById(node.dataset.chart)) nodes.push(node);
    });
    if (!nodes.length) return;
    if (!("IntersectionObserver" in window)) { nodes.forEach(queue); return; }
    var byTarget = new Map();
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        queue(byTarget.get(entry.target));
      });
    }, {rootMargin: NEAR});
    nodes.forEach(function (node) {
      var target = document.getElementById(node.dataset.chart);
      byTarget.set(target, node);
      observer.observe(target);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
