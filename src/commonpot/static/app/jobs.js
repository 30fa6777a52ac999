// Live progress for a background job page: the bar follows server-sent events and turns
// into the link to the result when the job is done. The page works without this file.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-live]");
  if (!box || typeof EventSource === "undefined") { return; }
  var bar = document.getElementById("job-progress");
  var percent = document.getElementById("job-percent");
  var state = document.getElementById("job-state");
  var note = document.getElementById("job-message");
  var result = document.getElementById("job-result");
  var link = document.getElementById("job-result-link");
  var error = document.getElementById("job-error");
  var cancel = document.getElementById("job-cancel");
  var source = new EventSource(box.dataset.jobLive);

  function ended() {
    source.close();
    // nothing left to cancel (removed: the form's own display rule would outlast `hidden`)
    if (cancel && cancel.parentNode) { cancel.parentNode.removeChild(cancel); cancel = null; }
  }

  source.addEventListener("job", function (e) {
    var m = JSON.parse(e.data);
    if (typeof m.progress === "number") {
      bar.value = m.progress;
      bar.textContent = String(m.progress) + "%";
      percent.textContent = String(m.progress) + "%";
    }
    if (m.state) {
      var key = "label" + String(m.state).charAt(0).toUpperCase() + String(m.state).slice(1);
      state.textContent = box.dataset[key] || String(m.state);  // in the reader's language
      box.dataset.state = String(m.state);
    }
    note.textContent = m.message ? String(m.message) : "";
    if (m.state === "done") {
      ended();
      if (m.result_url && String(m.result_url).charAt(0) === "/") {
        link.href = String(m.result_url);
        result.hidden = false;
        bar.hidden = true;
        link.focus();
      }
    } else if (m.state === "failed") {
      ended();
      error.textContent = m.error ? String(m.error) : "";
      error.hidden = false;
    } else if (m.state === "cancelled") {
      ended();
    }
  });
})();
