// Ecology charts: grouped bars from a canvas's data-chart ({labels, series:[{label, data}]}).
(function () {
  var el = document.getElementById("ecology-chart");
  if (!el || typeof Chart === "undefined") { return; }
  var data = JSON.parse(el.dataset.chart);
  var colours = ["#2f6f4e", "#b36b00", "#3b5b92"];
  new Chart(el, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (s, i) {
        return { label: s.label, data: s.data, backgroundColor: colours[i % colours.length] };
      })
    },
    options: { scales: { y: { min: 0, title: { display: true, text: "number of crops" } } } }
  });
})();
