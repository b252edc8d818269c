/* Observer maps: region markers sized and shaded by incident count, or one incident's point.
 * Leaflet comes from the django-js-lib-leaflet package. No tile layer unless the site sets a tile URL,
 * so the map works with no tile server and no request to another host. */
(function () {
  "use strict";

  var NO_INCIDENTS = "#9aa3b2";

  function shade(share) {
    // from light orange (few) to dark red (most)
    var light = [253, 187, 132];
    var dark = [165, 15, 21];
    var mix = light.map(function (value, index) {
      return Math.round(value + (dark[index] - value) * share);
    });
    return "rgb(" + mix.join(",") + ")";
  }

  function link(href, text) {
    var anchor = document.createElement("a");
    anchor.href = href;
    anchor.textContent = text;
    return anchor;
  }

  function popup(element, properties) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.appendChild(link(properties.url, properties.name));
    box.appendChild(title);
    var count = document.createElement("div");
    count.textContent = properties.incidents + " " + element.dataset.labelIncidents;
    box.appendChild(count);
    if (properties.turnout !== null && properties.turnout !== undefined) {
      var turnout = document.createElement("div");
      turnout.textContent = element.dataset.labelTurnout + ": " + properties.turnout.toLocaleString(document.documentElement.lang) + "%";
      box.appendChild(turnout);
    }
    if (properties.incidents > 0 && properties.list_url) {
      var more = document.createElement("div");
      more.appendChild(link(properties.list_url, element.dataset.labelList));
      box.appendChild(more);
    }
    return box;
  }

  function baseMap(element) {
    var tiles = element.dataset.tileUrl;
    var map = L.map(element, { scrollWheelZoom: false, attributionControl: Boolean(tiles) });
    if (tiles) {
      L.tileLayer(tiles, { attribution: element.dataset.tileAttribution || "", maxZoom: 18 }).addTo(map);
    }
    var fallback = element.querySelector(".map-fallback");
    if (fallback) {
      fallback.remove();
    }
    element.classList.add("map-ready");
    return map;
  }

  // Leaflet reads a string tooltip as HTML: names go in as text.
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function drawPoint(element) {
    var map = baseMap(element);
    var point = [parseFloat(element.dataset.pointLat), parseFloat(element.dataset.pointLon)];
    L.circleMarker(point, {
      radius: 9, color: "#1d2330", weight: 1, fillColor: shade(1), fillOpacity: 0.85, className: "incident-marker"
    }).bindTooltip(textNode(element.dataset.pointLabel)).addTo(map);
    map.setView(point, 8);
    element.dataset.state = "ready";
  }

  function drawRegions(element) {
    var map = baseMap(element);
    fetch(element.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var most = 1;
        data.features.forEach(function (feature) {
          most = Math.max(most, feature.properties.incidents);
        });
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var count = feature.properties.incidents;
            var share = count / most;
            return L.circleMarker(latlng, {
              radius: count ? 6 + 16 * Math.sqrt(share) : 4,
              color: "#1d2330",
              weight: 1,
              fillColor: count ? shade(share) : NO_INCIDENTS,
              fillOpacity: 0.85,
              className: "region-marker"
            });
          },
          onEachFeature: function (feature, marker) {
            marker.bindTooltip(textNode(feature.properties.name + ": " + feature.properties.incidents));
            marker.bindPopup(popup(element, feature.properties));
          }
        }).addTo(map);
        if (layer.getLayers().length) {
          map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 8 });
        } else {
          map.setView([0, 0], 1);
        }
        element.dataset.markers = String(layer.getLayers().length);
        element.dataset.state = "ready";
      })
      .catch(function () {
        var message = document.createElement("p");
        message.className = "map-fallback";
        message.textContent = element.dataset.labelFailed;
        element.appendChild(message);
        element.dataset.state = "failed";
      });
  }

  if (typeof L === "undefined") {
    return;
  }
  document.querySelectorAll("[data-map]").forEach(function (element) {
    if (element.dataset.pointLat) {
      drawPoint(element);
    } else if (element.dataset.geojsonUrl) {
      drawRegions(element);
    }
  });
})();
