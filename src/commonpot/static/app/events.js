// Live updates for event pages: flash events and head counts arrive by server-sent events.
// The pages work without this file; it only saves a reload.
(function () {
  "use strict";
  // the page's words for this script, in the reader's language (base.html's ui-texts block)
  function tr(text) {
    var block = document.getElementById("ui-texts");
    try { return (block && JSON.parse(block.textContent)[text]) || text; } catch (e) { return text; }
  }
  var box = document.querySelector("[data-live-url]");
  if (!box || typeof EventSource === "undefined") { return; }
  var liveUrl = box.dataset.liveUrl;
  var eventsBase = liveUrl.replace(/\/live$/, "");
  var thisEvent = box.dataset.eventId ? Number(box.dataset.eventId) : null;
  var status = document.getElementById("live-status");
  var source = new EventSource(liveUrl);

  source.addEventListener("open", function () {
    if (status) { status.textContent = tr("Live: flash events appear here as soon as they are called."); }
    document.body.dataset.live = "open";
  });

  source.addEventListener("count", function (e) {
    var m = JSON.parse(e.data);
    document.querySelectorAll('[data-count-for="' + m.event_id + '"]').forEach(function (el) {
      el.textContent = String(m.confirmed);
    });
    if (thisEvent === m.event_id) {
      var waiting = document.getElementById("count-waiting");
      if (waiting) { waiting.textContent = String(m.waitlisted); }
    }
  });

  function flashCard(m) {
    var li = document.createElement("li");
    li.className = "card event-card event-flash";
    var h = document.createElement("h3");
    var a = document.createElement("a");
    a.href = eventsBase + "/" + m.event_id;
    a.textContent = m.title;
    h.appendChild(a);
    li.appendChild(h);
    var p = document.createElement("p");
    var when = new Date(m.starts_at);
    p.textContent = tr("Flash event") + " · " + when.toLocaleString() + (m.place ? " · " + m.place : "");
    li.appendChild(p);
    var count = document.createElement("p");
    count.className = "meta";
    var n = document.createElement("span");
    n.dataset.countFor = String(m.event_id);
    n.textContent = "0";
    count.appendChild(n);
    count.appendChild(document.createTextNode(" coming"));
    li.appendChild(count);
    return li;
  }

  function notice(text) {
    var banner = document.getElementById("flash-banner");
    if (!banner) { return; }
    var div = document.createElement("div");
    div.className = "flash";
    var a = document.createElement("a");
    a.href = window.location.pathname;
    a.textContent = text;
    div.appendChild(a);
    banner.appendChild(div);
  }

  source.addEventListener("cancelled", function (e) {
    var m = JSON.parse(e.data);
    if (m.event_id === thisEvent) { notice(tr("This event has just been cancelled. Reload the page.")); }
  });

  source.addEventListener("menu", function (e) {
    var m = JSON.parse(e.data);
    if (m.event_id === thisEvent) { notice(tr("The menu changed: reload for the new shopping list.")); }
  });

  source.addEventListener("flash", function (e) {
    var m = JSON.parse(e.data);
    var list = document.getElementById("flash-list");
    if (list) {
      list.insertBefore(flashCard(m), list.firstChild);
    }
    var banner = document.getElementById("flash-banner");
    if (banner && m.event_id !== thisEvent) {
      var div = document.createElement("div");
      div.className = "flash flash-success";
      var a = document.createElement("a");
      a.href = eventsBase + "/" + m.event_id;
      a.textContent = tr("Flash event") + ": " + m.title;
      div.appendChild(a);
      banner.appendChild(div);
    }
  });
})();
