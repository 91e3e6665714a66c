// The recompute button: starts a job through the API and shows its state and progress until it ends.
(function () {
  var button = document.getElementById("recompute-button");
  if (!button) return;
  var box = document.getElementById("recompute-state");
  var csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  var labels = JSON.parse(document.getElementById("job-labels").textContent);
  function show(job) {
    var pct = job.total ? Math.round(100 * job.done / job.total) : 0;
    box.textContent = (labels[job.state] || job.state) + (job.total ? " " + pct + "% (" + job.done + "/" + job.total + ")" : "") + (job.error ? " — " + job.error : "");
    box.dataset.state = job.state;
  }
  function poll(id) {
    fetch(button.dataset.url + id + "/", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (job) {
      show(job);
      if (job.state === "pending" || job.state === "running") setTimeout(function () { poll(id); }, 1000);
      else button.disabled = false;
    });
  }
  button.addEventListener("click", function () {
    button.disabled = true;
    fetch(button.dataset.url, {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": csrf}})
      .then(function (r) { return r.json(); })
      .then(function (job) { show(job); poll(job.id); })
      .catch(function () { box.textContent = labels.failure; button.disabled = false; });
  });
})();
