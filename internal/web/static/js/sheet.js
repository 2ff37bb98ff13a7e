// Place sheet and referral sheet: print, copy the link, situation map.
(function () {
  "use strict";
  var print = document.getElementById("imprimer");
  if (print) print.addEventListener("click", function () { window.print(); });

  var copy = document.getElementById("copier");
  if (copy) {
    var msg = document.getElementById("copie-message");
    copy.addEventListener("click", function () {
      var url = copy.dataset.url;
      var done = function () { msg.textContent = "Lien copié : " + url; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, function () { msg.textContent = "Copiez ce lien : " + url; });
      } else {
        msg.textContent = "Copiez ce lien : " + url;
      }
    });
  }

  var el = document.getElementById("mini-carte");
  if (el && window.L) {
    var at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    // Decorative: the address and the OpenStreetMap link say the same, and
    // the tile credit is printed below it.
    var map = L.map(el, { maxZoom: 18, zoomControl: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
      touchZoom: false, boxZoom: false, keyboard: false, attributionControl: false }).setView(at, 16);
    L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
    L.marker(at, { icon: L.divIcon({ className: "pin", html: "<span></span>", iconSize: [22, 22], iconAnchor: [11, 22] }), keyboard: false, interactive: false }).addTo(map);
  }
})();
