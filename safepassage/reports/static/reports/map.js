// The vulnerability map: areas from /reports/map/data/ coloured by the band of their mean risk index (a fixed
// 0-100 scale; the server gives each area its band, or "no_people" / "hidden"). Works with no tile server: the
// areas' own boundaries are the base layer. The legend is in the page (reports/map.html).
(function () {
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { zoomSnap: 0.25 });
  var tiles = el.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "", maxZoom: 18 }).addTo(map);
  }
  var layer = null;
  // The same colours as the legend's swatches (app.css .swatch.area-*).
  var fills = { high: "#a4161a", medium: "#d4a017", low: "#2b7a0b", no_people: "#ffffff", hidden: "#9aa0a6" };

  // A count as published: a number, or "<11" (older answers said null).
  function shown(value) {
    return value === null || value === undefined ? "<11" : String(value);
  }

  function load() {
    var level = document.getElementById("map-level").value;
    fetch(el.getAttribute("data-url") + "?level=" + encodeURIComponent(level), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (layer) { map.removeLayer(layer); }
        layer = L.geoJSON(data, {
          style: function (f) {
            var band = f.properties.band;
            return { color: "#444", weight: 1, dashArray: band === "hidden" ? "4 3" : null,
                     fillOpacity: band === "no_people" ? 0.4 : 0.7, fillColor: fills[band] || fills.no_people };
          },
          pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 8 }); },
          onEachFeature: function (f, l) {
            var p = f.properties;
            var text = document.createElement("div");
            var title = document.createElement("strong");
            title.textContent = p.name + " (" + p.code + ")";
            text.appendChild(title);
            var body = document.createElement("div");
            if (p.band === "no_people") {
              body.textContent = el.getAttribute("data-label-no-people");
            } else if (p.band === "hidden") {
              body.textContent = el.getAttribute("data-label-hidden");
            } else {
              body.textContent = el.getAttribute("data-label-n") + ": " + shown(p.n) + " · " +
                el.getAttribute("data-label-high") + ": " + shown(p.high) + " · " +
                el.getAttribute("data-label-index") + ": " + p.mean_index;
            }
            text.appendChild(body);
            l.bindPopup(text);
          }
        }).addTo(map);
        if (data.features.length) { map.fitBounds(layer.getBounds()); } else { map.setView([15, 100], 5); }
        el.setAttribute("data-features", String(data.features.length));
      });
  }
  document.getElementById("map-level").addEventListener("change", load);
  load();
})();
