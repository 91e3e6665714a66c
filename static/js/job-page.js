// A red/black publication job's page (templates/redblack/job.html): every two seconds ask the job's state
// (?format=json) and show its step and progress; once it has ended, load the page again — the server then
// sends the official on to the published lists, or shows why it failed. Without script: the 刷新 link.
(function () {
  var box = document.getElementById("job");
  if (!box) return;
  var state = document.getElementById("job-state");
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  function poll() {
    fetch(location.pathname + "?format=json", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.state !== "pending" && job.state !== "running") { location.reload(); return; }
        state.innerHTML = "";
        var b = document.createElement("b");
        b.textContent = job.state_label;
        state.appendChild(b);
        if (job.step) state.appendChild(document.createTextNode(" · " + job.step));
        bar.max = job.total || 1;
        bar.value = job.done;
        percent.textContent = job.percent + "%";
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
