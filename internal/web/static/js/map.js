// PORTREA public map: Leaflet with clusters computed by the server for the
// view, a list that follows the map, filters and position kept in the URL.
// Without this script the page is a filterable list.
(function () {
  "use strict";
  var el = document.getElementById("carte");
  if (!el || !window.L) return;
  var form = document.getElementById("filtres");
  var list = document.getElementById("liste");
  var count = document.getElementById("compte");
  var embed = el.dataset.embed === "1";
  var params = new URLSearchParams(location.search);

  var map = L.map(el, { maxZoom: 18, minZoom: 3, zoomControl: false });
  L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
  map.attributionControl.setPrefix("");
  // Tiles are decoration: when none can be loaded, markers still show.
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);

  var lat = parseFloat(params.get("lat")), lon = parseFloat(params.get("lon")), z = parseInt(params.get("z"), 10);
  if (isFinite(lat) && isFinite(lon) && isFinite(z)) {
    map.setView([lat, lon], z);
  } else {
    var b = el.dataset.bounds.split(",").map(parseFloat);
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: [20, 20], maxZoom: 14 });
  }

  var layer = L.layerGroup().addTo(map);
  var shown = {}; // marker by cluster position or place id
  var here = null;

  // filterQuery is the form's filters, without the map position.
  function filterQuery() {
    var q = new URLSearchParams();
    if (form) {
      new FormData(form).forEach(function (v, k) { if (v !== "") q.append(k, v); });
    }
    return q;
  }

  function bboxOf(bounds) {
    return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (x) { return x.toFixed(5); }).join(",");
  }

  function frenchCount(n) {
    if (n === 0) return "Aucun lieu dans cette zone de la carte";
    var s = n.toLocaleString("fr-FR");
    return n === 1 ? "1 lieu dans cette zone de la carte" : s + " lieux dans cette zone de la carte";
  }

  function clusterIcon(n) {
    var size = n < 10 ? 34 : n < 100 ? 40 : n < 1000 ? 48 : 56;
    return L.divIcon({ className: "cluster", html: "<span>" + n.toLocaleString("fr-FR") + "</span>", iconSize: [size, size] });
  }
  var pin = L.divIcon({ className: "pin", html: "<span></span>", iconSize: [22, 22], iconAnchor: [11, 22], popupAnchor: [0, -20] });

  function popup(p) {
    var div = document.createElement("div");
    var a = document.createElement("a");
    a.href = "/lieux/" + encodeURIComponent(p.id);
    a.textContent = p.nom;
    if (embed) { a.target = "_blank"; a.rel = "noopener"; }
    div.appendChild(a);
    return div;
  }

  var seq = 0;
  function refresh() {
    var my = ++seq;
    var q = filterQuery();
    var view = new URLSearchParams(q);
    var c = map.getCenter();
    view.set("lat", c.lat.toFixed(5));
    view.set("lon", c.lng.toFixed(5));
    view.set("z", map.getZoom());
    history.replaceState(null, "", location.pathname + "?" + view.toString());

    var bbox = bboxOf(map.getBounds());
    var mq = new URLSearchParams(q);
    mq.set("bbox", bbox);
    mq.set("zoom", map.getZoom());
    fetch("/api/v1/carte?" + mq.toString()).then(function (r) { return r.json(); }).then(function (d) {
      if (my !== seq) return;
      // Keep the markers that stay, add the new ones, remove the others:
      // rebuilding every marker at each move made panning stutter.
      var next = {};
      (d.clusters || []).forEach(function (cl) {
        var key = "c" + cl.lat + "," + cl.lon + "," + cl.n;
        var m = shown[key];
        if (!m) {
          m = L.marker([cl.lat, cl.lon], { icon: clusterIcon(cl.n), title: cl.n + " lieux : zoomer", keyboard: true });
          m.on("click", function () { map.setView([cl.lat, cl.lon], Math.min(map.getZoom() + 2, 18)); });
          layer.addLayer(m);
        }
        next[key] = m;
      });
      (d.lieux || []).forEach(function (p) {
        var key = "p" + p.id;
        var m = shown[key];
        if (!m) {
          m = L.marker([p.lat, p.lon], { icon: pin, title: p.nom, alt: p.nom, keyboard: true });
          m.bindPopup(function () { return popup(p); });
          layer.addLayer(m);
        }
        next[key] = m;
      });
      Object.keys(shown).forEach(function (key) { if (!next[key]) layer.removeLayer(shown[key]); });
      shown = next;
    }).catch(function () {});

    listQuery = new URLSearchParams(q);
    listQuery.set("bbox", bbox);
    listed = 0;
    list.textContent = "";
    loadList(my);
  }

  // The list shows the places of the map's view, 20 at a time.
  var listQuery = null, listed = 0;
  var more = document.getElementById("plus");
  function loadList(my) {
    var lq = new URLSearchParams(listQuery);
    lq.set("limit", "20");
    lq.set("offset", String(listed));
    fetch("/api/v1/lieux?" + lq.toString()).then(function (r) { return r.json(); }).then(function (d) {
      if (my !== seq || !list) return;
      listed += d.items.length;
      count.textContent = frenchCount(d.total) + (d.total > listed ? " (" + listed + " affichés, par ordre alphabétique)" : "");
      if (more) more.parentNode.hidden = d.total <= listed;
      d.items.forEach(function (p) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "/lieux/" + encodeURIComponent(p.id);
        a.textContent = p.nom;
        if (embed) { a.target = "_blank"; a.rel = "noopener"; }
        var span = document.createElement("span");
        span.className = "addr";
        span.textContent = p.adresse + ", " + p.code_postal + " " + p.commune;
        li.appendChild(a);
        li.appendChild(span);
        list.appendChild(li);
      });
      var pager = document.querySelector(".pager");
      if (pager) pager.hidden = true;
    }).catch(function () {});
  }
  if (more) more.addEventListener("click", function () { loadList(seq); });

  var timer = null;
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 250); }
  map.on("moveend", later);
  if (form) {
    form.addEventListener("change", function (e) {
      if (e.target.name === "epci") { form.submit(); return; } // the commune list depends on it
      later();
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
    var q = document.getElementById("q");
    if (q) q.addEventListener("input", later);
  }
  refresh();

  // Address search through the server, which asks the national geocoder.
  var box = document.getElementById("adresse-recherche");
  if (box) {
    box.hidden = false;
    var input = document.getElementById("adresse");
    var msg = document.getElementById("adresse-message");
    var choices = document.getElementById("adresse-choix");
    var go = function (r) {
      choices.textContent = "";
      msg.textContent = "Carte centrée sur : " + r.label;
      if (here) map.removeLayer(here);
      here = L.circleMarker([r.latitude, r.longitude], { radius: 8, color: "#b34000", weight: 3 }).addTo(map);
      map.setView([r.latitude, r.longitude], 15);
    };
    var search = function () {
      msg.textContent = "Recherche…";
      choices.textContent = "";
      fetch("/api/v1/adresses?q=" + encodeURIComponent(input.value)).then(function (r) {
        return r.json().then(function (d) { return { ok: r.ok, d: d }; });
      }).then(function (res) {
        if (!res.ok) { msg.textContent = res.d.erreur || "Recherche d'adresse indisponible."; return; }
        var rs = res.d.resultats || [];
        if (rs.length === 0) { msg.textContent = "Adresse introuvable : précisez la commune."; return; }
        if (rs.length === 1) { go(rs[0]); return; }
        msg.textContent = rs.length + " adresses trouvées, choisissez :";
        rs.forEach(function (r) {
          var li = document.createElement("li");
          var b = document.createElement("button");
          b.type = "button";
          b.className = "link";
          b.textContent = r.label;
          b.addEventListener("click", function () { go(r); });
          li.appendChild(b);
          choices.appendChild(li);
        });
      }).catch(function () { msg.textContent = "La recherche d'adresse est indisponible pour le moment."; });
    };
    document.getElementById("adresse-ok").addEventListener("click", search);
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); search(); } });
  }
})();
