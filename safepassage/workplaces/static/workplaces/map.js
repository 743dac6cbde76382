// The surveillance map: workplaces as markers coloured by risk (a star inside for the watch list), clustered
// with each cluster coloured by the highest risk inside it; district and province boundaries from the database
// as the base layer, so the map still shows where things are when no tiles load; street and satellite layers
// when the browser can reach them (MAP_TILE_URL / SATELLITE_TILE_URL, or a local MBTiles file).
(function () {
  var el = document.getElementById("wp-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { zoomSnap: 0.25, maxZoom: 19 }).setView([18.8, 98.98], 8);
  var layers = {};
  var street = el.getAttribute("data-street");
  var satellite = el.getAttribute("data-satellite");
  if (street) { layers[el.getAttribute("data-street-label")] = L.tileLayer(street, { maxZoom: 19, attribution: el.getAttribute("data-street-attribution") || "" }); }
  if (satellite) { layers[el.getAttribute("data-satellite-label")] = L.tileLayer(satellite, { maxZoom: 19, attribution: el.getAttribute("data-satellite-attribution") || "" }); }
  var names = Object.keys(layers);
  if (names.length) { layers[names[0]].addTo(map); }
  var control = L.control.layers(layers, {}).addTo(map);

  // Boundaries: filled like land when there are no tiles (or they fail), outlines only over tiles.
  var land = { fillColor: "#f4f1e8", fillOpacity: 1 };
  var bare = { fillOpacity: 0 };
  var tilesFailed = !names.length;
  var boundaries = L.geoJSON(null, {
    interactive: false,
    style: function (f) {
      var province = f.properties.level === "province";
      return L.extend({ color: "#6b6b6b", weight: province ? 2.5 : 1, opacity: 0.9, className: "boundary" },
                      province ? { fill: false } : (tilesFailed ? land : bare));
    }
  }).addTo(map);
  control.addOverlay(boundaries, el.getAttribute("data-boundaries-label"));
  names.forEach(function (name) {
    layers[name].on("tileerror", function () {
      if (tilesFailed) { return; }
      tilesFailed = true;
      boundaries.setStyle(function (f) { return f.properties.level === "province" ? {} : land; });
    });
  });

  // The risk index by district as an overlay, for those who may see aggregates: darker is higher, on the
  // fixed 0-100 scale of the index.
  var riskUrl = el.getAttribute("data-risk");
  if (riskUrl) {
    fetch(riskUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var overlay = L.geoJSON(data, {
        interactive: false,
        style: function (f) {
          var v = f.properties.mean_index;
          return { color: "#7a0177", weight: 1, fillColor: "#c51b8a",
                   fillOpacity: (typeof v !== "number") ? 0 : 0.05 + 0.5 * v / 100 };
        }
      });
      control.addOverlay(overlay, el.getAttribute("data-risk-label"));
    });
  }

  var order = { high: 3, medium: 2, low: 1, none: 0 };
  // Sector names as the filter shows them, in the user's language.
  var sectors = {};
  Array.prototype.forEach.call(document.querySelectorAll("#f-sector option"), function (o) {
    if (o.value) { sectors[o.value] = o.textContent; }
  });
  function bandClass(band, neutral) { return neutral ? "wp-neutral" : "wp-" + (order[band] !== undefined ? band : "none"); }

  var cluster = window.L.markerClusterGroup ? L.markerClusterGroup({
    maxClusterRadius: 45,
    animate: false,  // no fly-in on slow phones; and the clusters in the DOM are the ones shown
    iconCreateFunction: function (c) {
      // The highest risk among the workplaces inside, not how many there are.
      var top = null;
      var neutral = false;
      c.getAllChildMarkers().forEach(function (m) {
        if (m.options.neutral) { neutral = true; return; }
        if (top === null || order[m.options.band] > order[top]) { top = m.options.band; }
      });
      var cls = bandClass(top || "none", neutral && top === null);
      var n = c.getChildCount();
      return L.divIcon({ html: String(n), className: "wp-cluster " + cls, iconSize: L.point(34, 34) });
    }
  }) : L.layerGroup();
  cluster.addTo(map);
  var form = document.getElementById("wp-filters");
  var detail = el.getAttribute("data-detail");
  var firstLoad = true;

  function load() {
    var query = new URLSearchParams(new FormData(form));
    if (firstLoad) { query.set("boundaries", "1"); }
    fetch(el.getAttribute("data-url") + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.boundaries) {
          boundaries.addData(data.boundaries);
          boundaries.bringToBack();
          el.setAttribute("data-boundaries", String(data.boundaries.features.length));
        }
        cluster.clearLayers();
        var markers = [];
        (data.features || []).forEach(function (f) {
          var p = f.properties;
          var c = f.geometry.coordinates;
          // A partner employer's points carry no band and no watch-list mark: one neutral colour.
          var neutral = p.band === undefined;
          var sector = sectors[p.sector] || p.sector;
          var words = [p.name, sector];
          if (!neutral) { words.push(el.getAttribute("data-band-" + (order[p.band] !== undefined ? p.band : "none"))); }
          if (p.watch_listed) { words.push(el.getAttribute("data-watch-label")); }
          var marker = L.marker([c[1], c[0]], {
            title: words.join(" · "),
            alt: words.join(" · "),
            band: neutral ? null : (p.band || "none"),
            neutral: neutral,
            icon: L.divIcon({
              html: p.watch_listed ? "★" : "",
              className: "wp-marker " + bandClass(p.band || "none", neutral) + (p.watch_listed ? " wp-watch" : ""),
              iconSize: p.watch_listed ? L.point(22, 22) : L.point(16, 16)
            })
          });
          var card = document.createElement("div");
          var link = document.createElement("a");
          link.href = detail.replace("0", String(p.id));
          link.textContent = p.name;
          card.appendChild(link);
          var info = document.createElement("div");
          info.textContent = words.slice(1).join(" · ");
          card.appendChild(info);
          marker.bindPopup(card);
          markers.push(marker);
        });
        if (cluster.addLayers) { cluster.addLayers(markers); } else { markers.forEach(function (m) { cluster.addLayer(m); }); }
        el.setAttribute("data-markers", String(markers.length));
        if (markers.length) {
          map.fitBounds(L.featureGroup(markers).getBounds().pad(0.1), { maxZoom: 14, animate: false });
        } else if (firstLoad && boundaries.getLayers().length) {
          map.fitBounds(boundaries.getBounds(), { animate: false });
        }
        firstLoad = false;
      });
  }
  form.addEventListener("change", load);
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  load();
})();
