// Fairness chart: fill rate by group, this plan vs first come, first served.
(function () {
  // the page's words for this script, in the reader's language (base.html's ui-texts block)
  function tr(text) {
    var block = document.getElementById("ui-texts");
    try { return (block && JSON.parse(block.textContent)[text]) || text; } catch (e) { return text; }
  }
  var el = document.getElementById("fairness-chart");
  if (!el || typeof Chart === "undefined") { return; }
  var data = JSON.parse(el.dataset.chart);
  new Chart(el, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: tr("This plan"), data: data.plan.map(function (x) { return x * 100; }), backgroundColor: "#2f6f4e" },
        { label: tr("First come, first served"), data: data.fcfs.map(function (x) { return x * 100; }), backgroundColor: "#b36b00" }
      ]
    },
    options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "% of requested units" } } } }
  });
})();

// Handovers: when one of mine moves (confirmed, picked up, handed over...), update its card.
(function () {
  var box = document.getElementById("handover-live");
  if (!box || typeof EventSource === "undefined") { return; }
  var status = document.getElementById("handover-status");
  var source = new EventSource(box.dataset.liveUrl);
  source.addEventListener("handover", function (event) {
    var message = JSON.parse(event.data);
    var card = document.querySelector('[data-handover="' + String(Number(message.id)) + '"]');
    if (!card) { return; }
    var state = String(message.state);
    card.dataset.state = state;
    var label = card.querySelector("[data-state-label]");
    var key = "label" + state.replace(/_(\w)/g, function (_, c) { return c.toUpperCase(); }).replace(/^\w/, function (c) { return c.toUpperCase(); });
    if (label) { label.textContent = box.dataset[key] || state; }
    if (status) { status.textContent = box.dataset.updated; }
  });
})();
