package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portrea/internal/campaign"
	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/report"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// Demo accounts of the back office (internal/demo/accounts.go).
const (
	boReferentEmail    = "referente@broceliande.demo.portrea.fr"
	boReferentPassword = "demo-broceliande-2026"
	boHubEmail         = "hub@demo.portrea.fr"
	boHubPassword      = "demo-hub-bretagne-2026"
	boPlelan           = "35223" // Plélan-le-Grand, in Brocéliande
)

// newBoBrowserEnv is the browser environment with the demo accounts, a
// store whose clock agrees with the server's (testNow), so that a
// confirmation dates the place on the server's "today", and map tiles
// from the test server (missing, at once) rather than from the Internet,
// whose slow failures would hold every page load.
func newBoBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	b := newBrowserEnv(t)
	b.st.SetClock(func() time.Time { return testNow })
	ctx := context.Background()
	if err := demo.SeedAccounts(ctx, b.st); err != nil {
		t.Fatal(err)
	}
	if err := b.st.SetSetting(ctx, settingTiles, b.srv.URL+"/tuiles-de-test/{z}/{x}/{y}.png"); err != nil {
		t.Fatal(err)
	}
	return b
}

// boLogin signs in through the login form, as a person does.
func boLogin(b *browserEnv, email, password string) {
	b.t.Helper()
	b.open("/connexion")
	boNavigate(b, "sign in as "+email,
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("mot_de_passe"), password),
		chromedp.Click(chromedp.CSS(`main form[action="/connexion"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("form.logout")))
	if who := eval[string](b, `document.querySelector("form.logout .who").textContent`); who != email {
		b.t.Fatalf("signed in as %q, want %s", who, email)
	}
}

// boLogout signs out with the header button.
func boLogout(b *browserEnv) {
	b.t.Helper()
	boNavigate(b, "sign out", chromedp.Click(chromedp.CSS("form.logout button")), chromedp.WaitVisible(chromedp.ID("mot_de_passe")))
}

// boNewPlace creates a place of Plélan-le-Grand through the store; edit
// fills in what the test needs. DateMaj is kept as given.
func boNewPlace(t *testing.T, st *store.Store, edit func(p *place.Place)) *place.Place {
	t.Helper()
	ref := territory.Default()
	c, ok := ref.Commune(boPlelan)
	if !ok {
		t.Fatalf("commune %s unknown", boPlelan)
	}
	p := &place.Place{CodeInsee: boPlelan, CodePostal: c.CodesPostaux[0], Commune: c.Nom,
		Latitude: c.Lat, Longitude: c.Lon, HasCoords: true, Typologies: []string{"ASSO"},
		Source: "test", DateMaj: place.Date(testNow), Status: place.StatusActive}
	edit(p)
	p.Normalize(ref)
	if err := p.Validate(ref, testNow); err != nil {
		t.Fatalf("place %s: %v", p.Nom, err)
	}
	if p.EPCI != demo.BroceliandeSIREN {
		t.Fatalf("place %s is in EPCI %s", p.Nom, p.EPCI)
	}
	if err := st.CreatePlace(context.Background(), p, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "test"}}); err != nil {
		t.Fatal(err)
	}
	return p
}

// boDuplicatePair creates two records of the same médiathèque, 10 m apart,
// with different contacts and services.
func boDuplicatePair(t *testing.T, st *store.Store) (a, b *place.Place) {
	t.Helper()
	a = boNewPlace(t, st, func(p *place.Place) {
		p.Nom, p.Adresse, p.Typologies = "Médiathèque de Plélan", "15 rue de l'Église", []string{"BIB"}
		p.Latitude, p.Longitude = 47.99810, -2.09460
		p.Telephone = "02 99 06 81 00"
		p.Courriels = []string{"accueil@mediatheque-plelan.example.org"}
		p.Services = place.Services.Bit("acces-materiel")
	})
	b = boNewPlace(t, st, func(p *place.Place) {
		p.Nom, p.Adresse, p.Typologies = "Mediatheque de Plelan-le-Grand", "15 rue de l'Église", []string{"BIB"}
		p.Latitude, p.Longitude = 47.99819, -2.09460 // 10 m north
		p.Telephone = "02 99 06 81 99"
		p.Courriels = []string{"contact@plelan-le-grand.example.org"}
		p.Services = place.Services.Bit("outils-quotidien") | place.Services.Bit("aide-demarches")
	})
	return a, b
}

// boSetValue sets a form control as a person's input would, firing its
// input and change events.
func boSetValue(b *browserEnv, id, value string) {
	b.t.Helper()
	b.do("set #"+id, chromedp.SetValue(chromedp.ID(id), value))
}

// boNavigate runs steps that load a new page (a form submission, a link)
// and waits until the new page is parsed and its scripts have run (not for
// its map tiles): polling during the navigation would fail with "target
// navigated".
func boNavigate(b *browserEnv, what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	eval[chromedp.Void](b, `window.boOldPage = true; void 0`)
	b.do(what, steps...)
	deadline := time.Now().Add(15 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.tab, 2*time.Second)
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.boOldPage === undefined && document.readyState !== "loading"`))
		cancel()
		if err == nil && done {
			return
		}
		if time.Now().After(deadline) {
			b.screenshot("echec-" + what)
			b.t.Fatalf("%s: no new page (%v)", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// boStillPin waits until the pin of the editor's map stops moving (the map
// pans to it after a click) and returns its centre on the screen.
func boStillPin(b *browserEnv) []float64 {
	b.t.Helper()
	for range 50 {
		xy := eval[[]float64](b, `new Promise(done => {
			const at = () => { const r = document.querySelector("#carte-lieu .leaflet-marker-icon").getBoundingClientRect(); return [r.x + r.width/2, r.y + r.height/2]; };
			const a = at();
			setTimeout(() => { const c = at(); done(a[0] === c[0] && a[1] === c[1] ? c : []); }, 250);
		})`)
		if len(xy) == 2 {
			return xy
		}
	}
	b.t.Fatal("the pin keeps moving")
	return nil
}

// boFreshness is the freshness badge of the place editor.
func boFreshness(b *browserEnv) string {
	return eval[string](b, `document.querySelector("section.quality strong").textContent.trim()`)
}

func TestBrowserReferentFixesStalePlace(t *testing.T) {
	b := newBoBrowserEnv(t)
	ctx := context.Background()
	const oldHours = "Sa 10:00-12:00"
	const newHours = "Mo-Fr 09:00-12:00,14:00-17:00"
	stale := boNewPlace(t, b.st, func(p *place.Place) {
		p.Nom, p.Adresse = "Atelier numérique de la Chapelle", "8 rue de Montfort"
		p.Horaires = oldHours
		p.Telephone = "02 99 06 80 42"
		p.Courriels = []string{"atelier.chapelle@example.org"}
		p.Services = place.Services.Bit("outils-quotidien")
		p.DateMaj = place.Date(testNow.AddDate(-3, 0, 0))
	})

	boLogin(b, boReferentEmail, boReferentPassword)

	// The list, filtered on old records with the form.
	b.open("/gestion/lieux?epci=" + demo.BroceliandeSIREN)
	boNavigate(b, "filter stale records",
		chromedp.SetValue(chromedp.ID("f-fraicheur"), "stale"),
		chromedp.Click(chromedp.CSS(`form.bo-filters button[type=submit]`)))
	b.until("stale list", `location.search.includes("fraicheur=stale") && document.querySelectorAll("table.places-table tbody th a").length > 0`)
	rows := eval[[]string](b, `[...document.querySelectorAll("table.places-table tbody tr")].map(tr => tr.innerText)`)
	found := false
	for _, r := range rows {
		if !strings.Contains(r, "Ancienne") {
			t.Errorf("the stale filter lists %q", r)
		}
		found = found || strings.Contains(r, stale.Nom)
	}
	if !found {
		t.Fatalf("%s not in the stale list: %q", stale.Nom, rows)
	}
	b.screenshot("gestion-lieux-anciennes")

	// The editor of the stale place.
	boNavigate(b, "open the stale place", chromedp.Click(chromedp.CSS(`table.places-table a[href="/gestion/lieux/`+stale.ID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("carte-lieu")))
	if f := boFreshness(b); f != "Ancienne" {
		t.Errorf("freshness before: %q, want Ancienne", f)
	}

	// The hours builder shows the old hours as a table; rebuild the week.
	b.until("hours builder", `document.querySelector(".hours-table") && document.getElementById("horaires-hb-d5-open").checked`)
	b.until("first preview", `!!document.querySelector(".hours-preview dl")`)
	b.do("close saturday", chromedp.Click(chromedp.ID("horaires-hb-d5-open")))
	b.do("open monday", chromedp.Click(chromedp.ID("horaires-hb-d0-open")))
	b.until("monday slot", `!!document.getElementById("horaires-hb-d0-s0-from")`)
	boSetValue(b, "horaires-hb-d0-s0-from", "09:00")
	boSetValue(b, "horaires-hb-d0-s0-to", "12:00")
	b.do("add an afternoon slot", chromedp.Click(chromedp.ID("horaires-hb-d0-add")))
	b.until("second slot", `!!document.getElementById("horaires-hb-d0-s1-from")`)
	boSetValue(b, "horaires-hb-d0-s1-from", "14:00")
	boSetValue(b, "horaires-hb-d0-s1-to", "17:00")
	for i := 0; i < 4; i++ {
		b.do(fmt.Sprintf("copy day %d to the next", i), chromedp.Click(chromedp.ID(fmt.Sprintf("horaires-hb-d%d-copy", i))))
	}
	b.until("textarea written", `document.getElementById("horaires").value === `+jsString(newHours))
	b.until("preview of the new hours", `(() => {
		const dd = [...document.querySelectorAll(".hours-preview dl dd")].map(d => d.textContent.toLowerCase());
		return dd.length === 7 && dd[0] === "9 h – 12 h, 14 h – 17 h" && dd[4] === dd[0] && dd[5] === "fermé" && dd[6] === "fermé";
	})()`)
	// testNow is a Thursday at 10:30.
	if st := eval[string](b, `document.querySelector(".hours-preview-status").textContent`); st != "Ouvert maintenant, jusqu'à 12 h" {
		t.Errorf("preview status %q", st)
	}
	if ok := eval[bool](b, `window.PortreaHours.format(window.PortreaHours.parse(document.getElementById("horaires").value)) === `+jsString(newHours)); !ok {
		t.Error("PortreaHours does not round-trip the new hours")
	}

	// Move the pin with a real mouse drag; the coordinates follow.
	oldLat := eval[string](b, `document.getElementById("latitude").value`)
	oldLon := eval[string](b, `document.getElementById("longitude").value`)
	b.do("show the map", chromedp.ScrollIntoView(chromedp.ID("carte-lieu")))
	b.until("pin", `!!document.querySelector("#carte-lieu .leaflet-marker-icon")`)
	// The map speaks French and credits its tiles.
	if z := eval[string](b, `document.querySelector("#carte-lieu .leaflet-control-zoom-in").getAttribute("aria-label")`); z != "Zoomer" {
		t.Errorf("zoom button labelled %q", z)
	}
	if a := eval[string](b, `document.querySelector("#carte-lieu .leaflet-control-attribution").textContent`); !strings.Contains(a, "OpenStreetMap") {
		t.Errorf("map attribution %q", a)
	}
	// A click on the map moves the pin there.
	boxMap := eval[[]float64](b, `(() => { const r = document.getElementById("carte-lieu").getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()`)
	b.do("click the map", chromedp.MouseClickXY(boxMap[0]+boxMap[2]/2-100, boxMap[1]+boxMap[3]/2-60))
	b.until("pin moved by the click", `document.getElementById("latitude").value !== `+jsString(oldLat))
	if lat, lon := boFloat(t, eval[string](b, `document.getElementById("latitude").value`)), boFloat(t, eval[string](b, `document.getElementById("longitude").value`)); lat <= boFloat(t, oldLat) || lon >= boFloat(t, oldLon) {
		t.Errorf("a click north-west of the pin put it at %f,%f (was %s,%s)", lat, lon, oldLat, oldLon)
	}
	clickLat := eval[string](b, `document.getElementById("latitude").value`)
	clickLon := eval[string](b, `document.getElementById("longitude").value`)
	// Then a real mouse drag of the pin, once the map stopped panning to it.
	pin := boStillPin(b)
	b.do("drag the pin", chromedp.DragAndDropXY(pin[0], pin[1], pin[0]+80, pin[1]+40, 12))
	b.until("coordinates moved", `document.getElementById("latitude").value !== `+jsString(clickLat)+
		` && document.getElementById("longitude").value !== `+jsString(clickLon))
	newLat := eval[string](b, `document.getElementById("latitude").value`)
	newLon := eval[string](b, `document.getElementById("longitude").value`)
	if boFloat(t, newLat) >= boFloat(t, clickLat) || boFloat(t, newLon) <= boFloat(t, clickLon) {
		// Dragged down and right: south and east.
		t.Errorf("pin dragged south-east moved from %s,%s to %s,%s", clickLat, clickLon, newLat, newLon)
	}
	b.screenshot("gestion-editeur")

	// Confirmed by the structure, saved.
	b.do("tick confirmation", chromedp.Click(chromedp.CSS(`input[name=confirmer]`)))
	boNavigate(b, "save", chromedp.Click(chromedp.CSS(`form.editor p.actions button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("p.success")))
	if msg := eval[string](b, `document.querySelector("p.success").textContent`); msg != "Modifications enregistrées." {
		t.Errorf("after saving: %q", msg)
	}
	if f := boFreshness(b); f != "À jour" {
		t.Errorf("freshness after a confirmed save: %q, want À jour", f)
	}
	if v := eval[string](b, `document.getElementById("horaires").value`); v != newHours {
		t.Errorf("saved hours shown as %q", v)
	}
	got, err := b.st.GetPlace(ctx, stale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Horaires != newHours || !got.DateMaj.Equal(place.Date(testNow)) {
		t.Errorf("stored: hours %q, date_maj %s", got.Horaires, got.DateMaj)
	}
	if fmt.Sprintf("%.6f", got.Latitude) != newLat || fmt.Sprintf("%.6f", got.Longitude) != newLon {
		t.Errorf("stored position %f,%f, want %s,%s", got.Latitude, got.Longitude, newLat, newLon)
	}
	hist, err := b.st.PlaceHistory(ctx, stale.ID)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history: %d entries, %v", len(hist), err)
	}
	var fields []string
	for _, c := range hist[0].Changes {
		fields = append(fields, c.Field)
	}
	// The form gives back every other field as it was.
	if want := []string{"latitude", "longitude", "horaires", "date_maj"}; !boSameFields(fields, want) {
		t.Errorf("the save changed %v, want %v", fields, want)
	}

	// The history shows the change, and undoes it.
	b.do("open the last change", chromedp.Click(chromedp.CSS(`#historique li:first-child details summary`)))
	entry := eval[string](b, `document.querySelector("#historique li").innerText`)
	for _, want := range []string{"modification", boReferentEmail, oldHours, newHours, "Horaires"} {
		if !strings.Contains(entry, want) {
			t.Errorf("history entry lacks %q:\n%s", want, entry)
		}
	}
	boNavigate(b, "undo the change", chromedp.Click(chromedp.CSS(`#historique li:first-child form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("p.success")))
	if msg := eval[string](b, `document.querySelector("p.success").textContent`); msg != "Modification annulée." {
		t.Errorf("after undoing: %q", msg)
	}
	if v := eval[string](b, `document.getElementById("horaires").value`); v != oldHours {
		t.Errorf("hours after undoing: %q, want %q", v, oldHours)
	}
	b.until("builder back on saturday", `document.getElementById("horaires-hb-d5-open").checked && !document.getElementById("horaires-hb-d0-open").checked`)
	if v := eval[string](b, `document.getElementById("latitude").value`); v != oldLat {
		t.Errorf("latitude after undoing: %s, want %s", v, oldLat)
	}
	if f := boFreshness(b); f != "À jour" {
		t.Errorf("undoing a change also undid the confirmation: %q", f)
	}
	got, err = b.st.GetPlace(ctx, stale.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Horaires != oldHours || got.Latitude != stale.Latitude || got.Longitude != stale.Longitude {
		t.Errorf("stored after undoing: hours %q at %f,%f", got.Horaires, got.Latitude, got.Longitude)
	}
	if hist, _ := b.st.PlaceHistory(ctx, stale.ID); len(hist) != 3 || !strings.HasPrefix(hist[0].Summary, "annulation") {
		t.Errorf("the undo is not in the history: %+v", hist)
	}
	if eval[int](b, `document.querySelectorAll("#historique > ol > li").length`) != 3 {
		t.Error("the page does not show the undo in the history")
	}
}

func boFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func boSameFields(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func TestBrowserMergeDuplicates(t *testing.T) {
	b := newBoBrowserEnv(t)
	ctx := context.Background()
	p1, p2 := boDuplicatePair(t, b.st)

	boLogin(b, boReferentEmail, boReferentPassword)
	b.open("/gestion/doublons?epci=" + demo.BroceliandeSIREN)
	pairRow := `[...document.querySelectorAll("main table.data tbody tr")].find(tr => tr.querySelector('a[href="/gestion/lieux/` + p1.ID + `"]') && tr.querySelector('a[href="/gestion/lieux/` + p2.ID + `"]'))`
	if !eval[bool](b, `!!`+pairRow) {
		t.Fatalf("the pair is not listed:\n%s", eval[string](b, `document.querySelector("main").innerText`))
	}
	if row := eval[string](b, pairRow+`.innerText`); !strings.Contains(row, "10 m") && !strings.Contains(row, "9 m") {
		t.Errorf("pair row without its distance: %q", row)
	}
	boNavigate(b, "compare", chromedp.Click(chromedp.CSS(`main table.data a[href^="/gestion/doublons/`+p1.ID+`/"], main table.data a[href^="/gestion/doublons/`+p2.ID+`/"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.merge")))
	parts := strings.Split(eval[string](b, `location.pathname`), "/")
	if len(parts) != 5 {
		t.Fatalf("merge page at %v", parts)
	}
	a, other := p1, p2
	if parts[3] == p2.ID {
		a, other = p2, p1
	}
	if parts[3] != a.ID || parts[4] != other.ID {
		t.Fatalf("merge page %v is not for %s and %s", parts, p1.ID, p2.ID)
	}
	b.screenshot("gestion-fusion")
	if d := eval[string](b, `document.getElementById(document.querySelector('input[name="champ.telephone"][value=b]').getAttribute("aria-describedby"))?.textContent ?? ""`); d != "Téléphone" {
		t.Errorf("the phone choice is described by %q", d)
	}

	b.do("take B's phone", chromedp.Click(chromedp.CSS(`input[name="champ.telephone"][value=b]`)))
	boNavigate(b, "merge", chromedp.Click(chromedp.CSS(`form[action$="/fusionner"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("p.success")))
	if path := eval[string](b, `location.pathname`); path != "/gestion/lieux/"+a.ID {
		t.Errorf("after the merge: %s", path)
	}
	if msg := eval[string](b, `document.querySelector("p.success").textContent`); !strings.Contains(msg, "Fusion enregistrée") {
		t.Errorf("after the merge: %q", msg)
	}

	gotA, err := b.st.GetPlace(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	gotB, err := b.st.GetPlace(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotB.Status != place.StatusDuplicate || gotB.DuplicateOf != a.ID {
		t.Errorf("B: status %q, duplicate of %q", gotB.Status, gotB.DuplicateOf)
	}
	if gotA.Status != place.StatusActive || gotA.DuplicateOf != "" || gotA.Nom != a.Nom {
		t.Errorf("A: status %q, duplicate of %q, name %q", gotA.Status, gotA.DuplicateOf, gotA.Nom)
	}
	if gotA.Telephone != other.Telephone {
		t.Errorf("A's phone %q, want B's %q", gotA.Telephone, other.Telephone)
	}
	if wantMails := append(slices.Clone(a.Courriels), other.Courriels...); !boSameFields(gotA.Courriels, wantMails) {
		t.Errorf("A's e-mails %v, want %v", gotA.Courriels, wantMails)
	}
	if gotA.Services != a.Services|other.Services {
		t.Errorf("A's services %v, want the union of %v and %v", gotA.Services, a.Services, other.Services)
	}
	if gotA.Latitude != a.Latitude || gotA.Adresse != a.Adresse {
		t.Errorf("A's position or address changed without being chosen: %f %q", gotA.Latitude, gotA.Adresse)
	}
	for _, c := range []struct {
		p    *place.Place
		want string
	}{{a, "fusion avec « " + other.Nom + " »"}, {other, "doublon de « " + a.Nom + " »"}} {
		h, err := b.st.PlaceHistory(ctx, c.p.ID)
		if err != nil || len(h) < 2 || h[0].Summary != c.want || h[0].Actor.Name != boReferentEmail {
			t.Errorf("history of %s: %+v, %v; want %q first", c.p.Nom, h, err, c.want)
		}
	}
	// The merged record's history on its page.
	if text := eval[string](b, `document.querySelector("#historique li").innerText`); !strings.Contains(text, "fusion avec") {
		t.Errorf("the editor's history does not show the merge: %q", text)
	}

	b.open("/gestion/doublons?epci=" + demo.BroceliandeSIREN)
	if eval[bool](b, `!!`+pairRow) {
		t.Error("the merged pair is still listed")
	}
	if html := eval[string](b, `document.querySelector("main").innerHTML`); strings.Contains(html, other.ID) {
		t.Error("the duplicate record is still proposed in another pair")
	}
}

// boAxePage opens a page, waits for cond (a JavaScript expression, "" for
// none) and runs axe-core on it.
func boAxePage(b *browserEnv, path, cond, name string) {
	b.t.Helper()
	b.open(path)
	if cond != "" {
		b.until(name, cond)
	}
	if strings.Contains(eval[string](b, `location.pathname`), "/connexion") && !strings.HasPrefix(path, "/connexion") {
		b.t.Fatalf("%s redirected to the login page", path)
	}
	b.noAxeViolations(name)
}

func TestBrowserBackOfficeAccessibility(t *testing.T) {
	b := newBoBrowserEnv(t)
	ctx := context.Background()
	pa, pb := boDuplicatePair(t, b.st)
	// Something in every list: a public report, a queued e-mail.
	if err := b.st.CreateReport(ctx, &report.Report{PlaceID: pa.ID, Categories: []string{"horaires"},
		Message: "Fermé le lundi matin.", Email: "usager@example.org"}); err != nil {
		t.Fatal(err)
	}
	if err := b.st.QueueMail(ctx, boReferentEmail, "Bienvenue", "Bonjour,\nvotre compte est ouvert."); err != nil {
		t.Fatal(err)
	}
	// A campaign with a recorded call, and a change proposed through it.
	c := &store.Campaign{EPCI: demo.BroceliandeSIREN, Origin: store.OriginReferent, CreatedBy: boReferentEmail}
	if _, err := campaign.Start(ctx, b.st, territory.Default(), c, campaign.Selection{}, testNow); err != nil {
		t.Fatal(err)
	}
	if err := b.st.RecordCall(ctx, c.ID, pa.ID, store.CallBack, "Rappeler mardi matin", nil, store.Write{Actor: place.Actor{Kind: place.ActorPhone, Name: boReferentEmail}}); err != nil {
		t.Fatal(err)
	}
	if err := b.st.RecordAnswer(ctx, store.Answer{CampaignID: c.ID, PlaceID: pb.ID, Kind: store.AnswerUpdated, Actor: place.Actor{Kind: place.ActorCampaign, Name: c.ID},
		Proposed: []place.Change{{Field: "horaires", New: "Mo-Fr 09:00-12:00"}}}); err != nil {
		t.Fatal(err)
	}
	// A workshop with participants, a place in the network's directory and
	// a retired complementary field.
	anim := &store.Animation{EPCI: demo.BroceliandeSIREN, At: testNow.AddDate(0, 0, -10), Theme: "Atelier des aidants",
		Participants: []string{pa.ID, pb.ID}, Notes: "Huit participants."}
	if err := b.st.CreateAnimation(ctx, anim); err != nil {
		t.Fatal(err)
	}
	if err := b.st.SetDirectoryConsent(ctx, pa.ID, true, boReferentEmail); err != nil {
		t.Fatal(err)
	}
	if err := b.st.CreateExtraField(ctx, &place.ExtraField{EPCI: demo.BroceliandeSIREN, Key: "ancien", Label: "Ancien champ", Kind: place.ExtraText, Position: 9}); err != nil {
		t.Fatal(err)
	}
	if fs, err := b.st.AllExtraFields(ctx, demo.BroceliandeSIREN); err != nil || len(fs) == 0 {
		t.Fatal(err)
	} else if err := b.st.RetireExtraField(ctx, demo.BroceliandeSIREN, fs[len(fs)-1].ID, true); err != nil {
		t.Fatal(err)
	}
	epci := "?epci=" + demo.BroceliandeSIREN
	editorReady := `!!document.querySelector(".hours-table") && !!document.querySelector(".hours-preview .hours-preview-title") && !!document.querySelector("#carte-lieu .leaflet-marker-icon")`

	boAxePage(b, "/connexion", "", "la connexion")
	b.screenshot("connexion")
	boAxePage(b, "/compte/oubli", "", "le mot de passe oublié")
	boAxePage(b, "/aide", "", "le guide d'utilisation")
	boAxePage(b, "/aide/recensement", "", "l'aide au recensement")
	boAxePage(b, "/rejoindre", "", "la page Rejoindre")

	pages := []struct{ path, cond, name string }{
		{"/gestion", "", "le tableau de bord"},
		{"/gestion/lieux" + epci, "", "la liste des lieux"},
		{"/gestion/lieux/" + pa.ID, editorReady, "l'éditeur d'un lieu"},
		{"/gestion/lieux/nouveau" + epci, `!!document.querySelector(".hours-table")`, "la création d'un lieu"},
		{"/gestion/doublons" + epci, "", "les doublons"},
		{"/gestion/doublons/" + pa.ID + "/" + pb.ID, "", "la fusion"},
		{"/gestion/a-traiter" + epci, "", "les signalements"},
		{"/gestion/recensement", "", "le recensement"},
		{"/gestion/exports", "", "les exports"},
		{"/gestion/deploiement/" + demo.BroceliandeSIREN + "/strategie", "", "la stratégie de déploiement"},
		{"/gestion/deploiement/" + demo.BroceliandeSIREN + "/supports", "", "les supports de la méthode"},
		{"/gestion/deploiement/" + demo.BroceliandeSIREN + "/documents/invitation", "", "l'invitation à la journée"},
		{"/gestion/deploiement/" + demo.BroceliandeSIREN + "/documents/methode?vue=impression", "", "la méthode d'animation imprimable"},
		{"/aide/methode", "", "l'aide sur la méthode"},
		{"/aide/donnees-personnelles", "", "l'aide sur les données personnelles"},
		{"/gestion/campagnes", "", "les campagnes"},
		{"/gestion/campagnes" + epci, "", "le lancement d'une campagne"},
		{"/gestion/campagnes/" + c.ID, "", "une campagne"},
		{"/gestion/campagnes/" + c.ID + "/appels", "", "la liste d'appels"},
		{"/gestion/reseau", "", "le réseau"},
		{"/gestion/territoires/" + demo.BroceliandeSIREN + "/reseau", "", "l'animation du réseau"},
		{"/gestion/territoires/" + demo.BroceliandeSIREN + "/reseau?modifier=" + anim.ID, "", "la modification d'un atelier"},
		{"/gestion/territoires/" + demo.BroceliandeSIREN + "/reseau/annuaire", "", "l'annuaire imprimable"},
		{"/gestion/territoires/" + demo.BroceliandeSIREN + "/champs", "", "les champs complémentaires"},
	}
	// An import to preview and a table whose columns must be mapped,
	// uploaded by each person through the census page.
	censusFile := boCensusFile(t, "recensement.csv", cp1252(t, censusCSV))
	otherFile := boCensusFile(t, "partenaire.csv", []byte(mappedHeader+"France services des Forges;Plélan-le-Grand;35380;9 rue des Forges;02 99 06 81 41;fs@forges.example.org;x\r\n"))
	for _, who := range []struct{ email, password, name string }{{boHubEmail, boHubPassword, "hub"}, {boReferentEmail, boReferentPassword, "référente"}} {
		t.Run(who.name, func(t *testing.T) {
			bt := *b
			bt.t = t
			boLogin(&bt, who.email, who.password)
			for _, p := range pages {
				boAxePage(&bt, p.path, p.cond, p.name+" ("+who.name+")")
			}
			id := boImportID(t, boUploadCensus(&bt, censusFile))
			boWaitAcrossReloads(&bt, "the preview", importPreviewReady)
			bt.noAxeViolations("l'aperçu d'un import (" + who.name + ")")
			boAxePage(&bt, "/gestion/recensement/imports/"+id+"?action=creation", importPreviewReady, "les créations d'un import ("+who.name+")")
			if path := boUploadCensus(&bt, otherFile); !strings.HasSuffix(path, "/colonnes") {
				t.Fatalf("an unknown table landed on %s", path)
			}
			bt.noAxeViolations("la correspondance des colonnes (" + who.name + ")")
			bt.screenshot("gestion-import-colonnes-" + who.name)
			bt.open("/gestion/recensement")
			bt.screenshot("gestion-recensement-" + who.name)
			bt.open("/gestion/exports")
			bt.screenshot("gestion-exports-" + who.name)
			for _, p := range []struct{ path, name string }{{"/gestion/campagnes" + epci, "campagnes"}, {"/gestion/campagnes/" + c.ID, "campagne"},
				{"/gestion/campagnes/" + c.ID + "/appels", "appels"}} {
				bt.open(p.path)
				bt.screenshot("gestion-" + p.name + "-" + who.name)
			}
			// A refused save: the errors are announced and the fields marked.
			bt.open("/gestion/lieux/" + pa.ID)
			boSetValue(&bt, "telephone", "12")
			boSetValue(&bt, "code_postal", "3538")
			boNavigate(&bt, "save a wrong phone", chromedp.Click(chromedp.CSS(`form.editor p.actions button[type=submit]`)))
			if msg := eval[string](&bt, `document.querySelector("#erreurs[role=alert]")?.innerText ?? ""`); !strings.Contains(msg, "Téléphone") || !strings.Contains(msg, "Code postal") {
				t.Errorf("refused save: %q", msg)
			}
			for _, id := range []string{"telephone", "code_postal"} {
				if c := eval[string](&bt, `(e => e ? getComputedStyle(e).borderTopColor : "not marked invalid")(document.querySelector("#`+id+`[aria-invalid=true]"))`); c != "rgb(176, 0, 32)" {
					t.Errorf("the wrong %s's border is %s, not red", id, c)
				}
			}
			if w := eval[[]int](&bt, `["nom", "telephone", "prise_rdv", "contact_telephone"].map(id => document.getElementById(id).offsetWidth)`); w[1] != w[0] || w[2] != w[0] || w[3] < w[0]*9/10 {
				t.Errorf("phone and web address fields are not as wide as the others: %v", w)
			}
			bt.until("editor with errors", editorReady)
			bt.noAxeViolations("l'éditeur avec des erreurs (" + who.name + ")")

			if who.email == boHubEmail {
				for _, p := range []string{"/gestion/utilisateurs", "/gestion/journal", "/gestion/courriels", "/gestion/sante", "/gestion/parametres", "/gestion/donnees-personnelles",
					"/gestion/deploiement", "/gestion/deploiement?retard=1&tri=duree", "/gestion/deploiement/" + demo.MontfortSIREN} {
					boAxePage(&bt, p, "", p+" (hub)")
				}
				bt.screenshot("gestion-deploiement-territoire")
				// The erasure's confirmation step, for the person who
				// reported an error (not confirmed).
				bt.open("/gestion/donnees-personnelles")
				boNavigate(&bt, "erasure preview", chromedp.SendKeys(chromedp.ID("rgpd-erase-email"), "usager@example.org"),
					chromedp.Click(chromedp.CSS(`form[action="/gestion/donnees-personnelles/effacement"] button[type=submit]`)))
				if h := eval[string](&bt, `document.querySelector("h1").textContent`); h != "Effacer les données d'une personne" {
					t.Errorf("erasure preview shows %q", h)
				}
				bt.noAxeViolations("/gestion/donnees-personnelles/effacement (hub)")
				bt.screenshot("gestion-rgpd-effacement")
				bt.open("/gestion/lieux/" + pa.ID)
				bt.until("editor", editorReady)
				bt.screenshot("gestion-editeur-hub")
			} else {
				bt.open("/gestion/lieux" + epci)
				bt.screenshot("gestion-lieux")
			}
			boLogout(&bt)
		})
	}
}
