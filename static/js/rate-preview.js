// The entry form: show a rate as it will be derived (分子/分母×100) while the clerk types; the server computes the
// stored value.
document.querySelectorAll("tr[data-kind=rate]").forEach(function (tr) {
  var num = tr.querySelector("input[name$='-numerator']"), den = tr.querySelector("input[name$='-denominator']"),
      out = tr.querySelector("output");
  if (!num || !den || !out) return;
  function update() {
    var n = parseFloat(num.value), d = parseFloat(den.value);
    out.textContent = (isFinite(n) && isFinite(d) && d > 0) ? (Math.round(n * 1000000 / d) / 10000) + "%" : "—";
  }
  num.addEventListener("input", update); den.addEventListener("input", update);
});
