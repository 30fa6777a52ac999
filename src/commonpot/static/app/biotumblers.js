/* Biotumbler device page: temperature per probe, moisture and oxygen, updated live (SSE).
   Data comes from a JSON script block; text goes in through textContent only. */
(function () {
  "use strict";
  var dataEl = document.getElementById("bt-data");
  var tempEl = document.getElementById("bt-temperature");
  var airEl = document.getElementById("bt-air");
  var labels = document.getElementById("bt-labels");
  var status = document.getElementById("bt-live-status");
  if (!dataEl || !tempEl || typeof Chart === "undefined") { return; }
  var data = JSON.parse(dataEl.textContent || "{}");
  var text = function (key) { return (labels && labels.dataset[key]) || key; };
  var colours = ["#b5461f", "#1f6f8b", "#5b7f1a", "#7a3e9d", "#8a6d00", "#444444"];
  var MAX_POINTS = 3000;
  var timeTick = function (value) { return new Date(value).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }); };
  var xs = data.x || [];
  var series = function (values) { return xs.map(function (x, i) { return { x: x, y: values[i] }; }).filter(function (p) { return p.y !== null; }); };
  var first = xs.length ? xs[0] : Date.now() - 3600000;
  var last = xs.length ? xs[xs.length - 1] : Date.now();
  var flat = function (y) { return [{ x: first, y: y }, { x: last, y: y }]; };

  var probeSets = {};
  var datasets = (data.probes || []).map(function (probe, i) {
    var set = { label: probe, data: series(data.temperature[probe]), borderColor: colours[i % colours.length], pointRadius: 0, borderWidth: 2, spanGaps: false };
    probeSets[probe] = set;
    return set;
  });
  var lines = [{ label: text("sanitising"), data: flat(data.lines.sanitising), borderColor: "#2e7d32", borderDash: [6, 4], pointRadius: 0, borderWidth: 1 }];
  (data.lines.overheat || []).forEach(function (y) {
    lines.push({ label: text("overheat") + " " + y + " °C", data: flat(y), borderColor: "#c62828", borderDash: [2, 3], pointRadius: 0, borderWidth: 1 });
  });
  var turns = { label: text("turned"), data: (data.turned || []).map(function (x) { return { x: x, y: 20 }; }), type: "scatter", pointStyle: "triangle", pointRadius: 6, borderColor: "#333", backgroundColor: "#333" };
  var temperature = new Chart(tempEl, {
    type: "line",
    data: { datasets: datasets.concat(lines, [turns]) },
    options: { animation: false, parsing: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { type: "linear", ticks: { callback: timeTick, maxTicksLimit: 8 } }, y: { title: { display: true, text: "°C" }, suggestedMin: 10, suggestedMax: 85 } } }
  });
  var moisture = { label: text("moisture"), data: series(data.moisture || []), borderColor: "#1565c0", pointRadius: 0, borderWidth: 2 };
  var oxygen = { label: text("oxygen"), data: series(data.oxygen || []), borderColor: "#6a1b9a", pointRadius: 0, borderWidth: 2 };
  var air = airEl ? new Chart(airEl, {
    type: "line",
    data: { datasets: [moisture, oxygen] },
    options: { animation: false, parsing: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { type: "linear", ticks: { callback: timeTick, maxTicksLimit: 8 } }, y: { title: { display: true, text: "%" }, min: 0, max: 100 } } }
  }) : null;

  var airBox = airEl ? airEl.parentElement : null;
  if (airBox && !moisture.data.length && !oxygen.data.length) { airBox.hidden = true; }
  var showAir = function () { if (airBox && airBox.hidden) { airBox.hidden = false; } };
  var push = function (set, point) {
    set.data.push(point);
    if (set.data.length > MAX_POINTS) { set.data.shift(); }
  };
  var stretch = function (x) {
    if (x <= last) { return; }
    last = x;
    lines.forEach(function (line) { line.data[1].x = x; });
  };
  var onReadings = function (message) {
    (message.readings || []).forEach(function (r) {
      var x = Date.parse(r.t);
      if (isNaN(x)) { return; }
      Object.keys(r.temperature_c || {}).forEach(function (probe) {
        var set = probeSets[probe];
        if (!set) {
          set = { label: probe, data: [], borderColor: colours[Object.keys(probeSets).length % colours.length], pointRadius: 0, borderWidth: 2 };
          probeSets[probe] = set;
          temperature.data.datasets.unshift(set);
        }
        push(set, { x: x, y: r.temperature_c[probe] });
      });
      if (typeof r.moisture_pct === "number") { push(moisture, { x: x, y: r.moisture_pct }); showAir(); }
      if (typeof r.oxygen_pct === "number") { push(oxygen, { x: x, y: r.oxygen_pct }); showAir(); }
      if (r.turned) { push(turns, { x: x, y: 20 }); }
      stretch(x);
      if (status) { status.textContent = text("last") + ": " + new Date(x).toLocaleString(); }
    });
    temperature.update("none");
    if (air) { air.update("none"); }
  };
  if (typeof EventSource !== "undefined" && data.device) {
    var source = new EventSource(window.location.pathname.replace(/\/$/, "") + "/live");
    source.addEventListener("open", function () { if (status && !status.textContent) { status.textContent = text("live"); } });
    source.addEventListener("biotumbler.readings", function (e) { onReadings(JSON.parse(e.data)); });
    source.addEventListener("biotumbler.alert", function (e) {
      var alert = JSON.parse(e.data);
      var list = document.getElementById("bt-live-alerts");
      if (!list) { return; }
      // one item per stored episode: opened, then updated when it closes
      var key = String(alert.id || (alert.kind + "-" + alert.level + "-" + alert.from));
      var item = null;
      for (var i = 0; i < list.children.length; i++) {
        if (list.children[i].getAttribute("data-episode-id") === key) { item = list.children[i]; }
      }
      if (!item) {
        item = document.createElement("li");
        item.setAttribute("data-episode-id", key);
        list.appendChild(item);
      }
      while (item.firstChild) { item.removeChild(item.firstChild); }
      item.setAttribute("data-episode", alert.kind + "-" + alert.level);
      item.setAttribute("data-open", alert.to ? "false" : "true");
      var strong = document.createElement("strong");
      strong.textContent = text(alert.kind) + " · " + text(alert.level);
      item.appendChild(strong);
      var when = " " + new Date(Date.parse(alert.from)).toLocaleString();
      if (alert.to) { when += " – " + new Date(Date.parse(alert.to)).toLocaleString(); }
      item.appendChild(document.createTextNode(when));
      list.hidden = false;
    });
    source.addEventListener("biotumbler.state", function (e) {
      var stateEl = document.getElementById("bt-state");
      if (stateEl) { stateEl.textContent = JSON.parse(e.data).state; }
    });
  }
}());
