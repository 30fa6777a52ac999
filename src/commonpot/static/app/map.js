// Leaflet maps: markers from data-markers; with data-pick a click fills #lat and #lon.
// Names come from members: popups are built from DOM nodes and textContent, never HTML strings.
(function () {
  "use strict";
  // the page's words for this script, in the reader's language (base.html's ui-texts block)
  function tr(text) {
    var block = document.getElementById("ui-texts");
    try { return (block && JSON.parse(block.textContent)[text]) || text; } catch (e) { return text; }
  }
  function popupContent(m) {
    var box = document.createElement("div");
    box.className = "map-popup";
    if (m.popup) {
      box.textContent = String(m.popup);
      return box;
    }
    var name = document.createElement("strong");
    name.textContent = String(m.name);
    box.appendChild(name);
    if (m.kind) { box.appendChild(document.createTextNode(" (" + String(m.kind) + ")")); }
    return box;
  }
  function init(el) {
    if (typeof L === "undefined") { return; }
    var markers = JSON.parse(el.dataset.markers || "[]");
    var center = el.dataset.center ? JSON.parse(el.dataset.center) : null;
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
    var bounds = [];
    markers.forEach(function (m) {
      var marker = L.marker([m.lat, m.lon], { title: String(m.name), alt: String(m.name) }).addTo(map);
      marker.bindPopup(popupContent(m));
      bounds.push([m.lat, m.lon]);
    });
    if (bounds.length > 1) { map.fitBounds(bounds, { padding: [30, 30] }); }
    else if (bounds.length === 1) { map.setView(bounds[0], 15); }
    else if (center && center[0] !== null) { map.setView(center, 14); }
    else { map.setView([20, 0], 2); }
    if (el.dataset.pick === "true") {
      var picked = null;
      map.on("click", function (e) {
        var lat = document.getElementById("lat"), lon = document.getElementById("lon");
        if (lat && lon) { lat.value = e.latlng.lat.toFixed(6); lon.value = e.latlng.lng.toFixed(6); }
        if (picked) { picked.setLatLng(e.latlng); } else { picked = L.marker(e.latlng, { title: tr("new place") }).addTo(map); }
      });
    }
    el.leafletMap = map;
    el.dataset.ready = "true";
  }
  document.querySelectorAll(".map").forEach(init);
})();
