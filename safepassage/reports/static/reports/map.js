// The vulnerability map: areas from /reports/map/data/ coloured by risk. Works with no tile server at all.
(function () {
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { zoomSnap: 0.25 });
  var tiles = el.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "", maxZoom: 18 }).addTo(map);
  }
  var layer = null;
  var legend = document.getElementById("legend");
  var palette = ["#f1eef6", "#fcc5c0", "#fa9fb5", "#f768a1", "#c51b8a", "#7a0177"];

  // Hidden figures ("<11", or a mean withheld) are grey.
  function colour(value, max) {
    if (typeof value !== "number") { return "#d9d9d9"; }
    var i = max > 0 ? Math.min(palette.length - 1, Math.floor(value / max * (palette.length - 1) + 1e-9)) : 0;
    return palette[i];
  }

  // A count as published: a number, or "<11" (older answers said null).
  function shown(value) {
    return value === null || value === undefined ? "<11" : String(value);
  }

  function load() {
    var level = document.getElementById("map-level").value;
    var measure = document.getElementById("map-measure").value;
    fetch(el.getAttribute("data-url") + "?level=" + encodeURIComponent(level), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        // The scale runs to the highest value shown, so differences between areas stay visible.
        var max = 0;
        data.features.forEach(function (f) {
          var v = f.properties[measure];
          if (typeof v === "number" && v > max) { max = v; }
        });
        if (layer) { map.removeLayer(layer); }
        layer = L.geoJSON(data, {
          style: function (f) {
            return { color: "#555", weight: 1, fillOpacity: 0.75, fillColor: colour(f.properties[measure], max) };
          },
          onEachFeature: function (f, l) {
            var p = f.properties;
            var text = document.createElement("div");
            var title = document.createElement("strong");
            title.textContent = p.name + " (" + p.code + ")";
            text.appendChild(title);
            var body = document.createElement("div");
            body.textContent = el.getAttribute("data-label-n") + ": " + shown(p.n) + " · " +
              el.getAttribute("data-label-high") + ": " + shown(p.high) + " · " +
              el.getAttribute("data-label-index") + ": " + (p.mean_index === null ? "—" : p.mean_index);
            text.appendChild(body);
            l.bindPopup(text);
          }
        }).addTo(map);
        if (data.features.length) { map.fitBounds(layer.getBounds()); } else { map.setView([15, 100], 5); }
        el.setAttribute("data-features", String(data.features.length));
        if (legend) {
          legend.textContent = "0 – " + max;
        }
      });
  }
  document.getElementById("map-level").addEventListener("change", load);
  document.getElementById("map-measure").addEventListener("change", load);
  load();
})();
