/* The report form without reloading: when the region changes, list that region's polling
   stations after the observer's own. The form works the same without this script: the
   server lists the chosen region's stations when the form comes back. */
(function () {
  "use strict";
  var form = document.querySelector("form.report-form[data-stations-url]");
  if (!form) return;
  var region = form.querySelector("select[name=region]");
  var station = form.querySelector("select[name=polling_station]");
  if (!region || !station) return;
  // The group of the observer's own stations stays; the region's group is replaced.
  var ownLabel = station.getAttribute("data-own-group") || "";

  region.addEventListener("change", function () {
    var url = form.getAttribute("data-stations-url") + "?region=" + encodeURIComponent(region.value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        var selected = station.value;
        Array.prototype.forEach.call(station.querySelectorAll("optgroup"), function (group) {
          if (group.label !== ownLabel) group.remove();
        });
        if (data.stations.length) {
          var group = document.createElement("optgroup");
          group.label = data.label;
          data.stations.forEach(function (item) {
            var option = document.createElement("option");
            option.value = String(item[0]);
            option.textContent = item[1];
            if (item[2]) option.setAttribute("data-number", item[2]);
            group.appendChild(option);
          });
          station.appendChild(group);
        }
        station.value = selected;
        if (station.value !== selected) station.value = "";
      })
      .catch(function () { /* offline: the server checks the station when the form is sent */ });
  });
})();
