// Opening-hours builder: turns an OpenStreetMap opening_hours textarea into a
// week table (days, time slots, public holidays, exceptional closures) so that
// a referent never has to type the OSM syntax. Progressive enhancement: the
// textarea stays the form field and stays editable; without JS nothing changes.
//
// Markup (rendered by the server, one or more per page):
//   <div class="hours-builder" data-preview-url="/gestion/horaires/apercu">
//     <label for="horaires">…</label>
//     <textarea id="horaires" name="horaires">…</textarea>
//     <div class="hours-preview" aria-live="polite"></div>
//   </div>
//
// Only window.PortreaHours = {parse, format} is exposed (pure functions).
(function () {
  "use strict";

  var DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
  var DAY_NAMES = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  // English and French month names (lower case, without accents or final dot).
  var MONTH_WORDS = {
    jan: 0, january: 0, janv: 0, janvier: 0,
    feb: 1, february: 1, fev: 1, fevr: 1, fevrier: 1,
    mar: 2, march: 2, mars: 2,
    apr: 3, april: 3, avr: 3, avril: 3,
    may: 4, mai: 4,
    jun: 5, june: 5, juin: 5,
    jul: 6, july: 6, juil: 6, juillet: 6,
    aug: 7, august: 7, aou: 7, aout: 7,
    sep: 8, sept: 8, september: 8, septembre: 8,
    oct: 9, october: 9, octobre: 9,
    nov: 10, november: 10, novembre: 10,
    dec: 11, december: 11, decembre: 11
  };
  var MAX_SLOTS = 3;
  var DEBOUNCE_MS = 300;

  // ---------------------------------------------------------------------
  // Model and pure functions.
  //
  // model = {
  //   days: [{open: bool, slots: [{from: "HH:MM", to: "HH:MM"}]}] × 7 (Mo..Su),
  //   phOff: bool,                    // "PH off"
  //   exceptions: ["Dec 24-Dec 31"]   // OSM date selectors, each "<sel> off"
  // }
  // A slot ending at midnight has to: "24:00".

  function emptyModel() {
    var days = [];
    for (var i = 0; i < 7; i++) days.push({ open: false, slots: [] });
    return { days: days, phOff: false, exceptions: [] };
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // normTime returns "HH:MM" for "H:MM"/"HH:MM" (and "24:00" when isEnd), or null.
  function normTime(t, isEnd) {
    var m = /^(\d{1,2}):(\d{2})$/.exec(t);
    if (!m) return null;
    var hh = +m[1], mm = +m[2];
    if (mm > 59) return null;
    if (hh === 24 && mm === 0 && isEnd) return "24:00";
    if (hh > 23) return null;
    return pad(hh) + ":" + pad(mm);
  }

  function minutes(t) { return +t.slice(0, 2) * 60 + +t.slice(3, 5); }

  function isTime(t) { return /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/.test(t || ""); }

  function dayIndex(s) {
    var l = s.toLowerCase();
    for (var i = 0; i < 7; i++) if (DAYS[i].toLowerCase() === l) return i;
    return -1;
  }

  // parseDays: "Mo-Fr", "Mo,We,Fr", "Mo-We,Fr", "Fr-Mo" → [bool × 7] or null.
  function parseDays(sel) {
    var set = [false, false, false, false, false, false, false];
    var parts = sel.split(",");
    for (var p = 0; p < parts.length; p++) {
      var m = /^([A-Za-z]{2})(?:\s*-\s*([A-Za-z]{2}))?$/.exec(parts[p].trim());
      if (!m) return null;
      var a = dayIndex(m[1]), b = m[2] ? dayIndex(m[2]) : a;
      if (a < 0 || b < 0) return null;
      for (var k = a; ; k = (k + 1) % 7) {
        set[k] = true;
        if (k === b) break;
      }
    }
    return set;
  }

  function monthIndex(tok) {
    var w = tok.toLowerCase().replace(/\.$/, "");
    if (w.normalize) w = w.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    return Object.prototype.hasOwnProperty.call(MONTH_WORDS, w) ? MONTH_WORDS[w] : -1;
  }

  // normalizeDate checks an OSM date selector in the subset
  //   range (',' range)*,  range = date ['-' date],  date = [YYYY] Mon [DD]
  // (a range end may be a bare day: "Dec 24-31") and returns it normalised
  // ("Dec 24-Dec 31", "2026 Dec 25", "Aug"), or null.
  function normalizeDate(sel) {
    var s = String(sel || "").trim();
    if (!s) return null;
    var toks = s.replace(/\s*([-,])\s*/g, " $1 ").trim().split(/\s+/);
    var i = 0;
    var isYear = function (t) { return /^\d{4}$/.test(t || ""); };
    var isDay = function (t) { return /^\d{1,2}$/.test(t || ""); };
    var isMonth = function (t) { return t !== undefined && /^[^\d\-,]+$/.test(t) && monthIndex(t) >= 0; };
    var date = function (allowBareDay) {
      var d = {};
      if (isYear(toks[i])) d.y = toks[i++];
      if (isMonth(toks[i])) {
        d.m = monthIndex(toks[i++]);
        if (isDay(toks[i])) d.d = +toks[i++];
      } else if (allowBareDay && d.y === undefined && isDay(toks[i])) {
        d.d = +toks[i++];
      } else {
        return null;
      }
      return d;
    };
    var fmt = function (d) {
      var out = [];
      if (d.y !== undefined) out.push(d.y);
      if (d.m !== undefined) out.push(MONTHS[d.m]);
      if (d.d !== undefined) out.push(pad(d.d));
      return out.join(" ");
    };
    var dayOK = function (d, month) { return d.d === undefined || (d.d >= 1 && d.d <= MONTH_DAYS[month]); };
    var ranges = [];
    for (;;) {
      var a = date(false);
      if (!a || !dayOK(a, a.m)) return null;
      var text = fmt(a);
      if (toks[i] === "-") {
        i++;
        var b = date(true);
        if (!b) return null;
        if (a.d === undefined && (b.m === undefined || b.d !== undefined)) return null;
        if (a.d !== undefined && b.d === undefined) return null;
        if (b.y !== undefined && a.y === undefined) return null;
        if (!dayOK(b, b.m !== undefined ? b.m : a.m)) return null;
        text += "-" + fmt(b);
      }
      ranges.push(text);
      if (i === toks.length) break;
      if (toks[i] !== ",") return null;
      i++;
    }
    return ranges.join(",");
  }

  var TIME_RANGE = "\\d{1,2}:\\d{2}\\s*-\\s*\\d{1,2}:\\d{2}";
  var TIMES_RE = new RegExp("^(.*?)\\s*((?:" + TIME_RANGE + "\\s*,\\s*)*" + TIME_RANGE + ")$");

  function parseSlots(value) {
    var parts = value.split(",");
    var slots = [];
    for (var p = 0; p < parts.length; p++) {
      var m = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/.exec(parts[p].trim());
      if (!m) return null;
      var from = normTime(m[1], false), to = normTime(m[2], true);
      if (!from || !to) return null;
      slots.push({ from: from, to: to });
    }
    slots.sort(function (x, y) { return minutes(x.from) - minutes(y.from); });
    return slots;
  }

  // dayProblems lists what is wrong with one day of a model (French messages).
  // Each problem: {kind: "missing"|"order"|"overlap"|"empty", slots: [k…], msg}.
  function dayProblems(day, name) {
    var out = [];
    if (!day.open) return out;
    if (!day.slots.length) {
      out.push({ kind: "empty", slots: [], msg: name + " : indiquez au moins un créneau, ou décochez « Ouvert »." });
      return out;
    }
    if (day.slots.length > MAX_SLOTS) {
      out.push({ kind: "empty", slots: [], msg: name + " : " + MAX_SLOTS + " créneaux au plus." });
    }
    var good = [];
    day.slots.forEach(function (s, k) {
      var n = k + 1;
      if (!isTime(s.from) || !isTime(s.to)) {
        out.push({ kind: "missing", slots: [k], msg: name + ", créneau " + n + " : indiquez l'heure d'ouverture et l'heure de fermeture (hh:mm)." });
      } else if (minutes(s.to) <= minutes(s.from)) {
        out.push({ kind: "order", slots: [k], msg: name + ", créneau " + n + " : l'heure de fermeture doit être après l'heure d'ouverture (pour minuit, indiquez 00:00)." });
      } else {
        good.push(k);
      }
    });
    for (var a = 0; a < good.length; a++) {
      for (var b = a + 1; b < good.length; b++) {
        var x = day.slots[good[a]], y = day.slots[good[b]];
        if (minutes(x.from) < minutes(y.to) && minutes(y.from) < minutes(x.to)) {
          out.push({ kind: "overlap", slots: [good[a], good[b]], msg: name + " : les créneaux " + (good[a] + 1) + " et " + (good[b] + 1) + " se chevauchent." });
        }
      }
    }
    return out;
  }

  function exceptionProblem(sel, n) {
    if (!String(sel || "").trim()) return null; // empty rows are ignored
    if (normalizeDate(sel)) return null;
    return "Fermeture exceptionnelle " + n + " : date non reconnue. Exemples : Dec 25, Dec 24-Dec 31, Aug 01-Aug 15.";
  }

  // parse returns the model of an opening_hours string in the simple subset
  // the table can show, or null. "" gives an empty model.
  function parse(str) {
    if (typeof str !== "string") return null;
    var model = emptyModel();
    var text = str.replace(/\s+/g, " ").trim();
    if (text === "") return model;
    if (text === "24/7") {
      model.days.forEach(function (d) { d.open = true; d.slots = [{ from: "00:00", to: "24:00" }]; });
      return model;
    }
    var tail = false; // a PH or date rule was seen: later timed day rules would override it
    var rules = text.split(";");
    for (var r = 0; r < rules.length; r++) {
      var rule = rules[r].trim();
      if (rule === "") continue;
      var sel, slots = null, m;
      if ((m = /^(.*?)\s*\b(off|closed)$/i.exec(rule))) {
        sel = m[1].trim();
      } else if ((m = TIMES_RE.exec(rule))) {
        sel = m[1].trim();
        slots = parseSlots(m[2]);
        if (!slots) return null;
      } else {
        return null;
      }
      var days = sel === "" ? [true, true, true, true, true, true, true] : parseDays(sel);
      if (days) {
        if (slots && tail) return null;
        for (var d = 0; d < 7; d++) {
          if (!days[d]) continue;
          model.days[d] = slots
            ? { open: true, slots: slots.map(function (s) { return { from: s.from, to: s.to }; }) }
            : { open: false, slots: [] };
        }
        continue;
      }
      if (slots) return null; // PH or dates with times: advanced
      if (/^PH$/i.test(sel)) {
        model.phOff = true;
        tail = true;
        continue;
      }
      var date = normalizeDate(sel);
      if (!date) return null;
      model.exceptions.push(date);
      tail = true;
    }
    for (var i = 0; i < 7; i++) {
      if (model.days[i].slots.length > MAX_SLOTS || dayProblems(model.days[i], DAY_NAMES[i]).length) return null;
    }
    return model;
  }

  function slotKey(day) {
    return day.slots.slice()
      .sort(function (x, y) { return minutes(x.from) - minutes(y.from); })
      .map(function (s) { return s.from + "-" + s.to; })
      .join(",");
  }

  // daysExpr: [0,1,2,3,4] → "Mo-Fr"; [0,2] → "Mo,We"; [5,6] → "Sa,Su".
  function daysExpr(list) {
    var parts = [];
    for (var a = 0; a < list.length;) {
      var b = a;
      while (b + 1 < list.length && list[b + 1] === list[b] + 1) b++;
      if (b - a >= 2) parts.push(DAYS[list[a]] + "-" + DAYS[list[b]]);
      else for (var k = a; k <= b; k++) parts.push(DAYS[list[k]]);
      a = b + 1;
    }
    return parts.join(",");
  }

  // format writes the normalised opening_hours string of a model.
  function format(model) {
    if (!model || !model.days) return "";
    var keys = model.days.map(function (d) { return d && d.open && d.slots && d.slots.length ? slotKey(d) : null; });
    var done = [];
    var parts = [];
    for (var i = 0; i < 7; i++) {
      if (!keys[i] || done[i]) continue;
      var list = [];
      for (var j = i; j < 7; j++) {
        if (keys[j] === keys[i]) { list.push(j); done[j] = true; }
      }
      parts.push(daysExpr(list) + " " + keys[i]);
    }
    if (model.phOff) parts.push("PH off");
    (model.exceptions || []).forEach(function (x) {
      var raw = String(x || "").trim();
      if (raw) parts.push((normalizeDate(raw) || raw) + " off");
    });
    return parts.join("; ");
  }

  window.PortreaHours = { parse: parse, format: format };

  // ---------------------------------------------------------------------
  // DOM.

  function h(tag, props, kids) {
    var el = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k === "hidden") el.hidden = true;
        else el.setAttribute(k, v === true ? "" : String(v));
      });
    }
    (kids || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }

  function sr(text) { return h("span", { class: "hours-sr", text: text }); }

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }

  function lower(s) { return s.charAt(0).toLowerCase() + s.slice(1); }

  // readTime reads a time input ("HH:MM", "HH:MM:SS", or typed "9h30" where
  // type=time is unsupported); a closing time of 00:00 means midnight (24:00).
  function readTime(input, isEnd) {
    var v = input.value.trim().replace(/^(\d{1,2})\s*[hH]\s*(\d{2})?$/, function (_, a, b) { return a + ":" + (b || "00"); });
    if (/^\d{1,2}:\d{2}:\d{2}(\.\d+)?$/.test(v)) v = v.replace(/:\d{2}(\.\d+)?$/, "");
    var t = normTime(v, isEnd);
    if (t === "00:00" && isEnd) t = "24:00";
    return t || (v ? "??" : "");
  }

  function showTime(t) { return t === "24:00" ? "00:00" : t; }

  // headingLevel: one below the last heading before el, so the preview's
  // heading keeps the page outline in order.
  function headingLevel(root, el) {
    var forced = parseInt(root.getAttribute("data-heading-level"), 10);
    if (forced >= 1 && forced <= 6) return forced;
    var level = 2;
    var hs = document.querySelectorAll("h1,h2,h3,h4,h5,h6");
    for (var i = 0; i < hs.length; i++) {
      if (hs[i].compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING && !el.contains(hs[i])) {
        level = Math.min(6, +hs[i].tagName.charAt(1) + 1);
      }
    }
    return level;
  }

  var anon = 0;

  function enhance(root) {
    var ta = root.querySelector("textarea");
    if (!ta || root.getAttribute("data-hours-ready")) return;
    root.setAttribute("data-hours-ready", "1");
    if (!ta.id) ta.id = "horaires-" + (++anon);
    var P = ta.id + "-hb-";
    var previewEl = root.querySelector(".hours-preview");
    var previewURL = root.getAttribute("data-preview-url") || "";

    var model = parse(ta.value);
    var mode = model ? "table" : "raw";
    if (!model) model = emptyModel();
    var touched = typeof WeakSet === "function" ? new WeakSet() : null; // slots shown with errors
    var touchedX = []; // exception rows shown with errors (by index)
    var showAll = false; // after a refused submit: show every error

    // --- static skeleton -------------------------------------------------
    var status = h("p", { class: "hours-status", role: "status", id: P + "status" });
    var resetBtn = h("button", { type: "button", class: "secondary", text: "Recommencer avec le tableau" });
    var notice = h("div", { class: "hours-notice", id: P + "notice", hidden: true }, [
      h("p", { text: "Ces horaires utilisent une forme avancée : modifiez-les directement dans le champ texte, ou recommencez avec le tableau." }),
      resetBtn
    ]);

    var tbody = h("tbody");
    var table = h("table", { class: "hours-table" }, [
      h("thead", null, [h("tr", null, [
        h("th", { scope: "col", text: "Jour" }),
        h("th", { scope: "col", text: "Ouvert" }),
        h("th", { scope: "col", text: "Créneaux" }),
        h("th", { scope: "col", text: "Recopier" })
      ])]),
      tbody
    ]);
    var pending = h("p", { class: "hours-pending", id: P + "pending", hidden: true,
      text: "Horaires incomplets ou incorrects : le champ texte et l'aperçu ne sont mis à jour qu'une fois le tableau corrigé." });
    var week = h("fieldset", { class: "hours-week" }, [
      h("legend", { text: "Semaine type" }),
      h("p", { class: "hours-hint", id: P + "hint",
        text: "Cochez les jours d'ouverture puis indiquez jusqu'à " + MAX_SLOTS + " créneaux par jour. Pour une fermeture à minuit, indiquez 00:00. Le champ texte ci-dessous est rempli automatiquement." }),
      h("div", { class: "hours-scroll" }, [table]),
      pending
    ]);

    var ph = h("input", { type: "checkbox", id: P + "ph" });
    var xList = h("ul", { class: "hours-exceptions", "aria-labelledby": P + "x-title" });
    var xAdd = h("button", { type: "button", class: "secondary", id: P + "x-add", text: "Ajouter une fermeture exceptionnelle" });
    var closures = h("fieldset", { class: "hours-closures" }, [
      h("legend", { text: "Fermetures" }),
      h("p", { class: "hours-check" }, [ph, " ", h("label", { for: P + "ph", text: "Fermé les jours fériés" })]),
      h("p", { class: "hours-subtitle", id: P + "x-title", text: "Fermetures exceptionnelles" }),
      h("p", { class: "hours-hint", id: P + "x-help",
        text: "Date ou période au format OpenStreetMap, mois abrégés en anglais (Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec). ex. : Aug 01-Aug 15 pour une fermeture estivale ; Dec 25 pour un seul jour." }),
      xList,
      h("p", null, [xAdd])
    ]);

    var editor = h("div", { class: "hours-editor", id: P + "editor" }, [week, closures]);
    var ui = h("div", { class: "hours-ui" }, [notice, editor, status]);

    var lbl = null;
    for (var c = root.firstElementChild; c; c = c.nextElementSibling) {
      if (c.tagName === "LABEL" && c.getAttribute("for") === ta.id) { lbl = c; break; }
    }
    root.insertBefore(ui, lbl || (ta.parentNode === root ? ta : root.firstChild));

    var rawHelp = h("p", { class: "hours-hint", id: P + "raw-help",
      text: "Ce champ est rempli par le tableau ci-dessus ; vous pouvez aussi le modifier directement (syntaxe OpenStreetMap opening_hours)." });
    ta.parentNode.insertBefore(rawHelp, ta.nextSibling);
    var desc = ta.getAttribute("aria-describedby");
    ta.setAttribute("aria-describedby", (desc ? desc + " " : "") + rawHelp.id);

    // --- day rows ----------------------------------------------------------
    var rows = DAY_NAMES.map(function (name, i) {
      var low = lower(name);
      var check = h("input", { type: "checkbox", id: P + "d" + i + "-open" });
      var list = h("ol", { class: "hours-slots", "aria-label": "Créneaux du " + low });
      var closed = h("span", { class: "hours-closed-text", text: "Fermé" });
      var add = h("button", { type: "button", class: "secondary hours-add", id: P + "d" + i + "-add" },
        ["Ajouter un créneau", sr(" le " + low)]);
      var err = h("div", { class: "hours-error", id: P + "d" + i + "-err", role: "alert" });
      var copy = i < 6 ? h("button", { type: "button", class: "secondary hours-copy", id: P + "d" + i + "-copy" },
        ["Copier sur " + lower(DAY_NAMES[i + 1]), sr(" les horaires du " + low)]) : null;
      var tr = h("tr", { class: "hours-day", id: P + "d" + i }, [
        h("th", { scope: "row", text: name }),
        h("td", { class: "hours-open" }, [check, " ", h("label", { for: check.id }, ["Ouvert", sr(" le " + low)])]),
        h("td", { class: "hours-slots-cell" }, [closed, list, add, err]),
        h("td", { class: "hours-copy-cell" }, copy ? [copy] : [])
      ]);
      tbody.appendChild(tr);

      check.addEventListener("change", function () {
        var day = model.days[i];
        day.open = check.checked;
        if (day.open && !day.slots.length) {
          var from = null;
          for (var j = i - 1; j >= 0 && !from; j--) if (model.days[j].open && model.days[j].slots.length) from = model.days[j];
          day.slots = from ? copySlots(from.slots) : [{ from: "09:00", to: "17:00" }];
          say(name + " ouvert : vérifiez les créneaux proposés.");
        }
        renderDay(i);
        update();
      });
      add.addEventListener("click", function () {
        var day = model.days[i];
        if (day.slots.length >= MAX_SLOTS) return;
        day.slots.push({ from: "", to: "" });
        renderDay(i);
        update();
        var inp = document.getElementById(P + "d" + i + "-s" + (day.slots.length - 1) + "-from");
        if (inp) inp.focus();
      });
      if (copy) {
        copy.addEventListener("click", function () {
          var src = model.days[i];
          model.days[i + 1] = { open: src.open, slots: copySlots(src.slots) };
          renderDay(i + 1);
          update();
          say("Horaires du " + low + " copiés sur le " + lower(DAY_NAMES[i + 1]) + ".");
          var next = document.getElementById(P + "d" + (i + 1) + "-copy") || document.getElementById(P + "d" + (i + 1) + "-open");
          if (next) next.focus();
        });
      }
      return { tr: tr, check: check, list: list, closed: closed, add: add, err: err, name: name, low: low };
    });

    function copySlots(slots) { return slots.map(function (s) { return { from: s.from, to: s.to }; }); }

    function renderDay(i) {
      var row = rows[i], day = model.days[i];
      clear(row.list);
      day.slots.forEach(function (slot, k) {
        var base = P + "d" + i + "-s" + k;
        var from = h("input", { type: "time", id: base + "-from", "aria-label": row.name + ", créneau " + (k + 1) + ", ouverture" });
        var to = h("input", { type: "time", id: base + "-to", "aria-label": row.name + ", créneau " + (k + 1) + ", fermeture" });
        from.value = slot.from;
        to.value = showTime(slot.to);
        var onEdit = function (ev) {
          slot.from = readTime(from, false);
          slot.to = readTime(to, true);
          if (ev.type === "change" && touched) touched.add(slot);
          update();
        };
        [from, to].forEach(function (inp) {
          inp.addEventListener("input", onEdit);
          inp.addEventListener("change", onEdit);
        });
        var kids = [
          h("label", { for: from.id, class: "hours-de", text: "de" }), " ", from, " ",
          h("label", { for: to.id, class: "hours-a", text: "à" }), " ", to
        ];
        if (day.slots.length > 1) {
          var rm = h("button", { type: "button", class: "secondary hours-remove" },
            ["Retirer", sr(" le créneau " + (k + 1) + " du " + row.low)]);
          rm.addEventListener("click", function () {
            var at = day.slots.indexOf(slot);
            if (at >= 0) day.slots.splice(at, 1);
            renderDay(i);
            update();
            say("Créneau retiré (" + row.low + ").");
            row.add.focus();
          });
          kids.push(" ", rm);
        }
        row.list.appendChild(h("li", { class: "hours-slot" }, kids));
      });
      row.check.checked = day.open;
      row.closed.hidden = day.open;
      row.list.hidden = !day.open;
      row.add.hidden = !day.open || day.slots.length >= MAX_SLOTS;
      row.tr.classList.toggle("is-closed", !day.open);
    }

    // --- closures ------------------------------------------------------------
    ph.addEventListener("change", function () {
      model.phOff = ph.checked;
      update();
    });

    function renderExceptions() {
      clear(xList);
      model.exceptions.forEach(function (sel, k) {
        var id = P + "x" + k;
        var input = h("input", { type: "text", id: id, placeholder: "Dec 24-Dec 31", autocomplete: "off",
          spellcheck: "false", "aria-describedby": P + "x-help" });
        input.value = sel;
        var err = h("div", { class: "hours-error", id: id + "-err", role: "alert" });
        var rm = h("button", { type: "button", class: "secondary hours-remove" },
          ["Retirer", sr(" la fermeture exceptionnelle " + (k + 1))]);
        input.addEventListener("input", function () {
          model.exceptions[k] = input.value;
          update();
        });
        input.addEventListener("change", function () {
          model.exceptions[k] = input.value;
          touchedX[k] = true;
          update();
        });
        rm.addEventListener("click", function () {
          model.exceptions.splice(k, 1);
          touchedX.splice(k, 1);
          renderExceptions();
          update();
          say("Fermeture exceptionnelle retirée.");
          var next = document.getElementById(P + "x" + Math.min(k, model.exceptions.length - 1));
          (next || xAdd).focus();
        });
        xList.appendChild(h("li", { class: "hours-exception" }, [
          h("label", { for: id, text: "Fermeture exceptionnelle " + (k + 1) + " (dates)" }),
          h("span", { class: "hours-exception-row" }, [input, " ", h("span", { class: "hours-off", text: "fermé" }), " ", rm]),
          err
        ]));
      });
    }

    xAdd.addEventListener("click", function () {
      model.exceptions.push("");
      renderExceptions();
      update();
      var inp = document.getElementById(P + "x" + (model.exceptions.length - 1));
      if (inp) inp.focus();
    });

    function renderAll() {
      for (var i = 0; i < 7; i++) renderDay(i);
      ph.checked = model.phOff;
      touchedX = [];
      renderExceptions();
      update({ write: false });
    }

    // --- validation, errors, writing the textarea ------------------------------
    function setErrors(box, msgs) {
      var text = msgs.join("\n");
      if (box.getAttribute("data-text") === text) return;
      box.setAttribute("data-text", text);
      clear(box);
      msgs.forEach(function (m) { box.appendChild(h("p", { text: m })); });
    }

    function markInvalid(input, errId, bad) {
      if (!input) return;
      var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== errId; });
      if (bad) {
        input.setAttribute("aria-invalid", "true");
        ids.push(errId);
      } else {
        input.removeAttribute("aria-invalid");
      }
      if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
      else input.removeAttribute("aria-describedby");
    }

    // update validates the model, shows the errors of touched fields, and
    // writes the normalised string into the textarea when everything is valid.
    function update(opts) {
      var write = !opts || opts.write !== false;
      var ok = true;
      rows.forEach(function (row, i) {
        var day = model.days[i];
        var probs = dayProblems(day, row.name);
        if (probs.length) ok = false;
        var shown = probs.filter(function (p) {
          return showAll || p.kind === "empty" || !touched || p.slots.some(function (k) { return touched.has(day.slots[k]); });
        });
        var bad = {};
        shown.forEach(function (p) { p.slots.forEach(function (k) { bad[k] = true; }); });
        setErrors(row.err, shown.map(function (p) { return p.msg; }));
        row.tr.classList.toggle("has-error", shown.length > 0);
        day.slots.forEach(function (s, k) {
          var base = P + "d" + i + "-s" + k;
          markInvalid(document.getElementById(base + "-from"), row.err.id, !!bad[k]);
          markInvalid(document.getElementById(base + "-to"), row.err.id, !!bad[k]);
        });
      });
      model.exceptions.forEach(function (sel, k) {
        var msg = exceptionProblem(sel, k + 1);
        if (msg) ok = false;
        var show = msg && (showAll || touchedX[k]);
        var box = document.getElementById(P + "x" + k + "-err");
        if (box) setErrors(box, show ? [msg] : []);
        markInvalid(document.getElementById(P + "x" + k), P + "x" + k + "-err", !!show);
      });
      pending.hidden = ok;
      if (ok) showAll = false;
      if (ok && write) {
        var s = format(model);
        if (s !== ta.value) {
          ta.value = s;
          schedulePreview();
        }
      }
      return ok;
    }

    function say(msg) {
      status.textContent = msg;
    }

    function setMode(m) {
      mode = m;
      notice.hidden = m !== "raw";
      editor.hidden = m === "raw";
    }

    resetBtn.addEventListener("click", function () {
      model = emptyModel();
      ta.value = "";
      setMode("table");
      renderAll();
      schedulePreview();
      say("Tableau vide : cochez les jours d'ouverture.");
      rows[0].check.focus();
    });

    // --- hand edits of the textarea ----------------------------------------------
    var parseTimer = null;
    function reparse(final) {
      var m = parse(ta.value);
      if (m) {
        model = m;
        if (mode !== "table") setMode("table");
        renderAll();
      } else if (final && mode !== "raw") {
        setMode("raw");
      }
    }
    ta.addEventListener("input", function () {
      schedulePreview();
      clearTimeout(parseTimer);
      parseTimer = setTimeout(function () { reparse(false); }, DEBOUNCE_MS);
    });
    ta.addEventListener("change", function () {
      clearTimeout(parseTimer);
      reparse(true);
    });

    // A form is not submitted with a table showing errors (the textarea would
    // still hold the last valid value).
    if (ta.form) {
      ta.form.addEventListener("submit", function (ev) {
        if (mode !== "table") return;
        showAll = true;
        if (update()) return;
        ev.preventDefault();
        say("Les horaires contiennent des erreurs : corrigez-les avant d'enregistrer.");
        var first = editor.querySelector("[aria-invalid=true]");
        if (first) first.focus();
      });
    }

    // --- preview ----------------------------------------------------------------------
    var previewTimer = null, seq = 0, ctrl = null, lastPreview = null;
    var level = previewEl ? headingLevel(root, previewEl) : 2;

    function schedulePreview() {
      if (!previewEl) return;
      clearTimeout(previewTimer);
      previewTimer = setTimeout(runPreview, DEBOUNCE_MS);
    }

    function showPreview(key, build) {
      if (key === lastPreview) return;
      lastPreview = key;
      clear(previewEl);
      previewEl.appendChild(h("h" + level, { class: "hours-preview-title", text: "Aperçu" }));
      build();
    }

    function previewMessage(msg, cls) {
      showPreview("msg:" + msg, function () {
        previewEl.appendChild(h("p", { class: cls || "hours-preview-note", text: msg }));
      });
    }

    function renderPreview(data) {
      showPreview(JSON.stringify(data), function () {
        if (!data.valid) {
          previewEl.appendChild(h("p", { class: "hours-error", text: data.error || "Horaires non reconnus." }));
          return;
        }
        if (data.status) {
          previewEl.appendChild(h("p", { class: "hours-preview-status " + (data.open_now ? "is-open" : "is-closed"), text: String(data.status) }));
        }
        if (Array.isArray(data.week) && data.week.length) {
          var dl = h("dl", { class: "hours-preview-week" });
          data.week.forEach(function (w) {
            dl.appendChild(h("div", null, [
              h("dt", { text: String(w && w.day || "") }),
              h("dd", { text: String(w && w.text || "Fermé") })
            ]));
          });
          previewEl.appendChild(dl);
        }
      });
    }

    function runPreview() {
      var v = ta.value.trim();
      var my = ++seq;
      if (ctrl) ctrl.abort();
      ctrl = null;
      if (v === "") {
        previewMessage("Aucun horaire renseigné.");
        return;
      }
      if (!previewURL || typeof fetch !== "function") {
        previewMessage("Aperçu indisponible");
        return;
      }
      var opts = { credentials: "same-origin", headers: { Accept: "application/json" } };
      if (typeof AbortController === "function") {
        ctrl = new AbortController();
        opts.signal = ctrl.signal;
      }
      var url = previewURL + (previewURL.indexOf("?") >= 0 ? "&" : "?") + "oh=" + encodeURIComponent(v);
      fetch(url, opts).then(function (r) {
        return r.json().then(function (d) {
          if (d && typeof d === "object" && typeof d.valid === "boolean") return d;
          throw new Error("bad preview");
        });
      }).then(function (data) {
        if (my === seq) renderPreview(data);
      }).catch(function (err) {
        if (my !== seq || (err && err.name === "AbortError")) return;
        previewMessage("Aperçu indisponible");
      });
    }

    // --- start ------------------------------------------------------------------------------
    setMode(mode);
    renderAll();
    if (previewEl) runPreview();
  }

  function init() {
    var roots = document.querySelectorAll(".hours-builder");
    for (var i = 0; i < roots.length; i++) enhance(roots[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
