// Ecology charts: grouped bars from a canvas's data-chart ({labels, series:[{label, data}]}).
(function () {
  // the page's words for this script, in the reader's language (base.html's ui-texts block)
  function tr(text) {
    var block = document.getElementById("ui-texts");
    try { return (block && JSON.parse(block.textContent)[text]) || text; } catch (e) { return text; }
  }
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
    options: { scales: { y: { min: 0, title: { display: true, text: tr("number of crops") } } } }
  });
})();
