/* Loads the interactive map only when the reader asks for it: the button under each map brings in
 * Leaflet (CSS and script, served by this site) and static/js/map.js, which then draws every map on
 * the page. Until then a page carries none of their weight. Without JavaScript the button stays hidden. */
(function () {
  "use strict";

  var loading = null;

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) {
        element.setAttribute(name, attributes[name]);
      });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function open(button) {
    document.querySelectorAll("[data-map]").forEach(function (element) {
      element.hidden = false;
    });
    document.querySelectorAll("[data-map-open]").forEach(function (other) {
      other.hidden = true;
    });
    if (!loading) {
      loading = load("link", { rel: "stylesheet", href: button.dataset.leafletCss })
        .then(function () { return load("script", { src: button.dataset.leafletJs }); })
        .then(function () { return load("script", { src: button.dataset.mapJs }); })
        .catch(function () {
          document.querySelectorAll("[data-map] .map-fallback").forEach(function (message) {
            message.textContent = message.parentElement.dataset.labelFailed;
          });
        });
    }
    return loading;
  }

  document.querySelectorAll("[data-map-open]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { open(button); });
  });
})();
