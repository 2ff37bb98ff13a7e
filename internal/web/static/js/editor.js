// Place editor: draggable pin, address geocoding, 280-character counter.
(function () {
  "use strict";
  var latIn = document.getElementById("latitude");
  var lonIn = document.getElementById("longitude");

  // Characters left in the short presentation.
  document.querySelectorAll("textarea[data-counter]").forEach(function (ta) {
    var out = document.getElementById(ta.dataset.counter);
    var max = parseInt(ta.getAttribute("maxlength"), 10);
    var update = function () {
      var left = max - Array.from(ta.value).length;
      out.textContent = left + " caractère" + (Math.abs(left) > 1 ? "s" : "") + " restant" + (Math.abs(left) > 1 ? "s" : "");
    };
    ta.addEventListener("input", update);
    update();
  });

  // The map with a draggable pin writing the coordinates.
  var el = document.getElementById("carte-lieu");
  var marker = null, map = null;
  function fmt(x) { return x.toFixed(6); }
  function place(lat, lon, zoom) {
    var at = [lat, lon];
    if (!marker) {
      marker = L.marker(at, { draggable: true, autoPan: true, title: "Position du lieu",
        icon: L.divIcon({ className: "pin", html: "<span></span>", iconSize: [22, 22], iconAnchor: [11, 22] }) }).addTo(map);
      marker.on("dragend", function () {
        var p = marker.getLatLng();
        latIn.value = fmt(p.lat);
        lonIn.value = fmt(p.lng);
      });
    } else {
      marker.setLatLng(at);
    }
    map.setView(at, zoom || Math.max(map.getZoom(), 17));
  }
  if (el && window.L) {
    map = L.map(el, { maxZoom: 19, zoomControl: false });
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    map.attributionControl.setPrefix("");
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
    var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
    if (isFinite(lat) && isFinite(lon)) {
      place(lat, lon, 17);
    } else {
      map.setView([46.6, 2.4], 5);
    }
    map.on("click", function (e) {
      place(e.latlng.lat, e.latlng.lng);
      latIn.value = fmt(e.latlng.lat);
      lonIn.value = fmt(e.latlng.lng);
    });
    var typed = function () {
      var a = parseFloat(latIn.value.replace(",", ".")), b = parseFloat(lonIn.value.replace(",", "."));
      if (isFinite(a) && isFinite(b)) place(a, b);
    };
    latIn.addEventListener("change", typed);
    lonIn.addEventListener("change", typed);
  }

  // Address search through the geocoder.
  var box = document.querySelector(".geocoder");
  if (!box) return;
  var btn = document.getElementById("geocoder-chercher");
  var results = document.getElementById("geocoder-resultats");
  function say(text, cls) {
    results.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    if (cls) p.className = cls;
    results.appendChild(p);
  }
  function set(id, v) { var i = document.getElementById(id); if (i) i.value = v; }
  btn.addEventListener("click", function () {
    var q = [document.getElementById("adresse").value, document.getElementById("code_postal").value, document.getElementById("commune").value].join(" ").trim();
    if (q.length < 3) { say("Saisissez d'abord une adresse.", "error"); return; }
    say("Recherche…");
    fetch(box.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        if (!res.ok) { say(res.body.erreur || "Recherche d'adresse indisponible.", "error"); return; }
        if (!res.body.length) { say("Aucune adresse trouvée : vérifiez la saisie, ou placez le repère à la main.", "warning"); return; }
        results.textContent = "";
        var p = document.createElement("p");
        p.textContent = "Choisissez l'adresse :";
        results.appendChild(p);
        var ul = document.createElement("ul");
        ul.className = "choices";
        res.body.forEach(function (it) {
          var li = document.createElement("li");
          var b = document.createElement("button");
          b.type = "button";
          b.className = "link";
          b.textContent = it.label + (it.dans_le_territoire ? "" : " — hors de vos territoires");
          b.addEventListener("click", function () {
            set("adresse", it.adresse || it.label);
            set("code_postal", it.code_postal);
            set("commune", it.commune);
            set("code_insee", it.code_insee);
            set("latitude", fmt(it.latitude));
            set("longitude", fmt(it.longitude));
            if (map) place(it.latitude, it.longitude, 18);
            if (it.dans_le_territoire) {
              say("Adresse reprise et repère placé. Ajustez-le sur l'entrée du lieu si besoin.", "success");
            } else {
              say("Attention : " + it.avertissement + ". La fiche ne pourra pas être enregistrée avec cette commune.", "error");
            }
          });
          li.appendChild(b);
          ul.appendChild(li);
        });
        results.appendChild(ul);
      })
      .catch(function () { say("Recherche d'adresse indisponible : placez le repère à la main.", "error"); });
  });
})();
