// Governance pages: drag-to-rank ballots, credit counters, round-by-round charts.
// Everything works without this script: ranks are plain selects, results a table.
(function () {
  "use strict";
  // the page's words for this script, in the reader's language (base.html's ui-texts block)
  function tr(text) {
    var block = document.getElementById("ui-texts");
    try { return (block && JSON.parse(block.textContent)[text]) || text; } catch (e) { return text; }
  }

  function rankedBallot(form) {
    var list = form.querySelector("#rank-list");
    if (!list) { return; }
    var items = Array.prototype.slice.call(list.querySelectorAll(".rank-item"));
    function renumber() {
      var rank = 1;
      list.querySelectorAll(".rank-item").forEach(function (li) {
        var select = li.querySelector("select");
        if (select.value !== "" || li.dataset.touched === "1") { select.value = String(rank); rank += 1; }
      });
    }
    items.sort(function (a, b) {
      var ra = a.querySelector("select").value || "999", rb = b.querySelector("select").value || "999";
      return Number(ra) - Number(rb);
    }).forEach(function (li) { list.appendChild(li); });
    items.forEach(function (li) {
      li.draggable = true;
      var label = li.querySelector("label").textContent;
      ["up", "down"].forEach(function (dir) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "button button-small button-secondary move";
        b.textContent = dir === "up" ? "↑" : "↓";
        b.setAttribute("aria-label", tr(dir === "up" ? "Move up:" : "Move down:") + " " + label);
        b.addEventListener("click", function () {
          li.dataset.touched = "1";
          if (dir === "up" && li.previousElementSibling) { list.insertBefore(li, li.previousElementSibling); }
          if (dir === "down" && li.nextElementSibling) { list.insertBefore(li.nextElementSibling, li); }
          renumber();
          b.focus();
        });
        li.appendChild(b);
      });
      li.addEventListener("dragstart", function () { li.classList.add("dragging"); });
      li.addEventListener("dragend", function () { li.classList.remove("dragging"); li.dataset.touched = "1"; renumber(); });
    });
    list.addEventListener("dragover", function (event) {
      event.preventDefault();
      var dragging = list.querySelector(".dragging");
      var after = null;
      list.querySelectorAll(".rank-item:not(.dragging)").forEach(function (li) {
        var box = li.getBoundingClientRect();
        if (after === null && event.clientY < box.top + box.height / 2) { after = li; }
      });
      if (dragging) { list.insertBefore(dragging, after); }
    });
  }

  function creditBallot(form) {
    var budget = Number((document.getElementById("budget") || {}).textContent || 0);
    var left = document.getElementById("credits-left");
    if (!left) { return; }
    function update() {
      var spent = 0;
      form.querySelectorAll("input[type=number]").forEach(function (i) { spent += Number(i.value || 0); });
      var lang = document.documentElement.lang || undefined;
      left.textContent = tr("Credits left: %(num)s").replace("%(num)s", (budget - spent).toLocaleString(lang));
    }
    form.querySelectorAll("input[type=range]").forEach(function (range) {
      var number = document.getElementById(range.dataset.for);
      range.addEventListener("input", function () { number.value = range.value; update(); });
      number.addEventListener("input", function () { range.value = number.value; update(); });
    });
    update();
  }

  function chart() {
    var data = document.getElementById("result-data");
    var canvas = document.getElementById("round-chart");
    if (!data || !canvas || typeof window.Chart === "undefined") { return; }
    var parsed = JSON.parse(data.textContent);
    var palette = ["#2f6b3a", "#b5651d", "#3b6ea8", "#8a3b8f", "#9c8b1f", "#5b5b5b"];
    var datasets = parsed.rounds.map(function (round, i) {
      return {
        label: tr("Round") + " " + (i + 1),
        backgroundColor: palette[i % palette.length],
        data: parsed.options.map(function (o) {
          var v = round.counts[o];
          if (v === undefined) { return null; }
          if (typeof v === "string" && v.indexOf("/") > 0) { var p = v.split("/"); return Number(p[0]) / Number(p[1]); }
          return Number(v);
        })
      };
    });
    new window.Chart(canvas, { type: "bar", data: { labels: parsed.options, datasets: datasets },
      options: { animation: false, responsive: true, plugins: { legend: { position: "bottom" } } } });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("ballot-form");
    if (form) { rankedBallot(form); creditBallot(form); }
    chart();
  });
})();
