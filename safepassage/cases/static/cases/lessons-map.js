// Lessons learned: routes from recruitment to exploitation as lines between district centres, thicker for
// more cases. Data from the routes endpoint (hidden flows are never sent); works with no tile server at all.
(function () {
  var el = document.getElementById("routes-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { zoomSnap: 0.25 });
  var tiles = el.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { attribution: el.getAttribute("data-attribution") || "", maxZoom: 18 }).addTo(map);
  }
  var note = document.getElementById("routes-map-note");
  var casesLabel = el.getAttribute("data-label-cases") || "";

  function weight(cases, max) {
    // 2 to 12 pixels, in proportion to the largest flow shown.
    return 2 + (max > 0 ? 10 * cases / max : 0);
  }

  function popup(p) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.origin_name + " → " + p.destination_name;
    box.appendChild(title);
    var body = document.createElement("div");
    body.textContent = p.cases + " " + casesLabel;
    box.appendChild(body);
    return box;
  }

  fetch(el.getAttribute("data-url"), { credentials: "same-origin" })
    .then(function (r) {
      if (!r.ok) { throw new Error("routes: " + r.status); }
      return r.json();
    })
    .then(function (data) {
      // Area boundaries from the database under the routes: a map to read them on with no tiles at all.
      if (data.boundaries && data.boundaries.features.length) {
        L.geoJSON(data.boundaries, {
          interactive: false,
          style: function (f) {
            var province = f.properties.level === "province";
            return { color: "#6b6b6b", weight: province ? 2.5 : 1, className: "boundary",
                     fill: !province && !tiles, fillColor: "#f4f1e8", fillOpacity: 1 };
          }
        }).addTo(map);
        el.setAttribute("data-boundaries", String(data.boundaries.features.length));
      }
      var max = 0;
      data.features.forEach(function (f) {
        if (f.properties.cases > max) { max = f.properties.cases; }
      });
      var layer = L.geoJSON(data, {
        style: function (f) {
          return { color: "#a4161a", opacity: 0.75, weight: weight(f.properties.cases, max) };
        },
        pointToLayer: function (f, latlng) {
          // Recruited and exploited in the same district: a circle instead of a line.
          return L.circleMarker(latlng, { radius: 3 + weight(f.properties.cases, max), fillOpacity: 0.5 });
        },
        onEachFeature: function (f, l) { l.bindPopup(popup(f.properties)); }
      }).addTo(map);
      if (data.features.length) {
        map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 9 });
      } else {
        map.setView([15, 100], 5);
      }
      el.setAttribute("data-features", String(data.features.length));
      if (note && data.not_drawn) {
        var more = document.createElement("span");
        more.textContent = " " + el.getAttribute("data-label-not-drawn") + " " + data.not_drawn + ".";
        note.appendChild(more);
      }
    })
    .catch(function (error) {
      map.setView([15, 100], 5);
      el.setAttribute("data-features", "error");
      console.error(error);
    });
})();
