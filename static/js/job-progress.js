// The progress bar of a background job (templates/suggestions/job.html): polls the job's progress endpoint
// every second, moves the bar (rows done of total) and, once the job has ended, reloads the page, which then
// shows the download link, what an import wrote, or why the job failed.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-progress]");
  if (!box) return;
  var bar = box.querySelector("[data-job-bar]");
  var meter = box.querySelector("[role=progressbar]");
  var count = box.querySelector("[data-job-count]");
  var state = box.querySelector("[data-job-state]");

  function show(percent) {
    if (!bar) return;
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
  }

  if (bar) show(Number(bar.dataset.percent || 0));
  if (box.dataset.finished === "1") return;

  function poll() {
    fetch(box.dataset.jobProgress, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (job) {
        show(job.percent);
        if (meter) meter.setAttribute("aria-valuenow", job.done);
        if (meter) meter.setAttribute("aria-valuemax", job.total);
        if (count && job.total) {
          count.textContent = "已处理" + job.done + job.unit + "，共" + job.total + job.unit;
        }
        if (state) state.textContent = job.state_label;
        if (job.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // the server restarting, the network gone: try again, more slowly
      });
  }
  window.setTimeout(poll, 1000);
})();
