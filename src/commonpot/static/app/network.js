// Fairness chart: fill rate by group, this plan vs first come, first served.
(function () {
  var el = document.getElementById("fairness-chart");
  if (!el || typeof Chart === "undefined") { return; }
  var data = JSON.parse(el.dataset.chart);
  new Chart(el, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: "This plan", data: data.plan.map(function (x) { return x * 100; }), backgroundColor: "#2f6f4e" },
        { label: "First come, first served", data: data.fcfs.map(function (x) { return x * 100; }), backgroundColor: "#b36b00" }
      ]
    },
    options: { scales: { y: { min: 0, max: 100, title: { display: true, text: "% of requested units" } } } }
  });
})();
