// The surveillance map: workplaces as markers coloured by risk, clustered, with street and satellite layers
// when the browser can reach them. Without tiles the markers still show on a plain background.
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
  // The risk index by district as an overlay, for those who may see aggregates.
  var riskUrl = el.getAttribute("data-risk");
  if (riskUrl) {
    fetch(riskUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var max = 0;
      data.features.forEach(function (f) { if (f.properties.mean_index > max) { max = f.properties.mean_index; } });
      var overlay = L.geoJSON(data, {
        interactive: false,
        style: function (f) {
          var v = f.properties.mean_index;
          return { color: "#7a0177", weight: 1, fillColor: "#c51b8a",
                   fillOpacity: (v === null || !max) ? 0 : 0.05 + 0.4 * v / max };
        }
      });
      control.addOverlay(overlay, el.getAttribute("data-risk-label"));
    });
  }
  var colours = { high: "#a4161a", medium: "#d4a017", low: "#2b7a0b", none: "#5b6475" };
  var cluster = window.L.markerClusterGroup ? L.markerClusterGroup({ maxClusterRadius: 45 }) : L.layerGroup();
  cluster.addTo(map);
  var form = document.getElementById("wp-filters");
  var detail = el.getAttribute("data-detail");

  function load() {
    var query = new URLSearchParams(new FormData(form)).toString();
    fetch(el.getAttribute("data-url") + "?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        cluster.clearLayers();
        var markers = [];
        (data.features || []).forEach(function (f) {
          var p = f.properties;
          var c = f.geometry.coordinates;
          var marker = L.circleMarker([c[1], c[0]], {
            radius: p.watch_listed ? 9 : 7, color: "#fff", weight: 2, fillOpacity: 0.9,
            fillColor: colours[p.band] || colours.none
          });
          var card = document.createElement("div");
          var link = document.createElement("a");
          link.href = detail.replace("0", String(p.id));
          link.textContent = p.name;
          card.appendChild(link);
          var info = document.createElement("div");
          // A partner employer's points carry no band and no watch-list mark: only the sector is shown.
          info.textContent = p.sector + (p.band ? " · " + p.band : "") + (p.watch_listed ? " · ★" : "");
          card.appendChild(info);
          marker.bindPopup(card);
          markers.push(marker);
        });
        if (cluster.addLayers) { cluster.addLayers(markers); } else { markers.forEach(function (m) { cluster.addLayer(m); }); }
        el.setAttribute("data-markers", String(markers.length));
        if (markers.length) { map.fitBounds(L.featureGroup(markers).getBounds().pad(0.1)); }
      });
  }
  form.addEventListener("change", load);
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  load();
})();
