// The review queue: a header checkbox (input.select-all) ticks or clears every row of its table.
document.querySelectorAll("input.select-all").forEach(function (box) {
  box.addEventListener("change", function () {
    box.closest("table").querySelectorAll("input[name=ids]").forEach(function (b) { b.checked = box.checked; });
  });
});
