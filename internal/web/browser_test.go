package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portrea/internal/demo"
	"portrea/internal/geocode/geocodetest"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// browserEnv is the real server with the demo territory, a fake geocoder
// and a headless Chromium tab.
type browserEnv struct {
	t    *testing.T
	st   *store.Store
	srv  *httptest.Server
	geo  *geocodetest.Fake
	tab  context.Context
	shot string // folder for screenshots, from $PORTREA_SCREENSHOTS
}

// chromiumPath finds the browser: $PORTREA_CHROMIUM or Debian's chromium.
// PORTREA_BROWSER=off skips the browser tests explicitly; otherwise a
// missing browser fails them, because they are part of `make test`.
func chromiumPath(t *testing.T) string {
	if os.Getenv("PORTREA_BROWSER") == "off" {
		t.Skip("PORTREA_BROWSER=off: browser tests skipped")
	}
	for _, p := range []string{os.Getenv("PORTREA_CHROMIUM"), "/usr/bin/chromium", "/usr/lib/chromium/chromium"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	t.Fatal("Chromium not found: apt-get install -y chromium, or set PORTREA_CHROMIUM (PORTREA_BROWSER=off to skip)")
	return ""
}

func newBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	exe := chromiumPath(t)
	st := storetest.OpenSQLite(t)
	if _, err := demo.Seed(context.Background(), st, territory.Default(), testNow); err != nil {
		t.Fatal(err)
	}
	geo := geocodetest.Start(t)
	srv := httptest.NewServer(newTestServer(t, st, geo.URL).routes())
	t.Cleanup(srv.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// Start the browser on the long-lived context, not on a step's timeout.
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return &browserEnv{t: t, st: st, srv: srv, geo: geo, tab: tab, shot: os.Getenv("PORTREA_SCREENSHOTS")}
}

// do runs steps with a timeout, failing the test with the step's name.
func (b *browserEnv) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.screenshot("echec-" + what)
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression and decodes its value.
func eval[T any](b *browserEnv, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// until waits for a JavaScript condition to be true.
func (b *browserEnv) until(what, cond string) {
	b.t.Helper()
	b.do(what, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(50*time.Millisecond)))
}

func (b *browserEnv) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.srv.URL+path), chromedp.WaitReady(chromedp.CSS("body")))
}

func (b *browserEnv) screenshot(name string) {
	if b.shot == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.tab, 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		os.WriteFile(filepath.Join(b.shot, name+".png"), png, 0o644)
	}
}

// axeViolations runs axe-core (from npm) on the current page and returns
// the violations, one line each.
func (b *browserEnv) axeViolations() []string {
	b.t.Helper()
	script, err := os.ReadFile(filepath.Join(repoRoot(b.t), "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		b.t.Fatalf("axe-core: %v (run npm ci)", err)
	}
	eval[chromedp.Void](b, string(script)+";void 0")
	out := eval[string](b, `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v =>
		v.id + " (" + v.impact + "): " + v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(" | "))))`)
	var v []string
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		b.t.Fatal(err)
	}
	return v
}

func (b *browserEnv) noAxeViolations(page string) {
	b.t.Helper()
	for _, v := range b.axeViolations() {
		b.t.Errorf("axe on %s: %s", page, v)
	}
}

func repoRoot(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

const markers = `document.querySelectorAll("#carte .leaflet-marker-icon").length`

func TestBrowserMapFiltersAndSearch(t *testing.T) {
	b := newBrowserEnv(t)
	b.open("/")
	b.until("map markers", markers+` > 0 && document.querySelector("#compte").textContent.includes("zone de la carte")`)
	b.screenshot("carte")
	allMarkers := eval[int](b, markers)
	allCount := eval[string](b, `document.querySelector("#compte").textContent`)
	allItems := eval[int](b, `document.querySelectorAll("#liste li").length`)
	if allItems != 20 {
		t.Fatalf("the list shows %d places, want the first 20", allItems)
	}
	b.do("show more", chromedp.Click(chromedp.ID("plus")))
	b.until("more places", `document.querySelectorAll("#liste li").length > 20 && document.querySelector(".more").hidden`)
	allItems = eval[int](b, `document.querySelectorAll("#liste li").length`)

	// Filter by a service: the list and the markers change.
	b.do("open filters", chromedp.Click(chromedp.CSS(".filters summary")))
	b.do("tick parentalité", chromedp.Click(chromedp.CSS(`input[name=services][value=parentalite]`)))
	b.until("filtered list", `document.querySelector("#compte").textContent !== `+jsString(allCount))
	b.until("filtered markers", markers+` !== `+fmt.Sprint(allMarkers))
	items := eval[int](b, `document.querySelectorAll("#liste li").length`)
	if items == 0 || items >= allItems {
		t.Errorf("service filter: %d list items, %d before", items, allItems)
	}
	if loc := eval[string](b, `location.search`); !strings.Contains(loc, "services=parentalite") || !strings.Contains(loc, "lat=") {
		t.Errorf("filters and position not in the URL: %s", loc)
	}
	b.screenshot("carte-filtre")

	// The URL restores the view: reload it and find the same filter ticked.
	b.do("reload", chromedp.Reload())
	if !eval[bool](b, `document.querySelector('input[name=services][value=parentalite]').checked`) {
		t.Error("the shared URL does not restore the filter")
	}

	// Search a name with and without accents.
	for _, q := range []string{"mediatheque", "Médiathèque", "MEDIATHEQUE"} {
		b.open("/")
		b.until("list", `document.querySelectorAll("#liste li").length > 0`)
		b.do("type "+q, chromedp.SendKeys(chromedp.ID("q"), q))
		b.until("search "+q, `[...document.querySelectorAll("#liste li a")].every(a => a.textContent.includes("Médiathèque")) && document.querySelectorAll("#liste li").length >= 3`)
	}
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestBrowserSheetAndReport(t *testing.T) {
	b := newBrowserEnv(t)
	b.open("/?q=France+Services+Broceliande")
	b.do("open the sheet", chromedp.Click(chromedp.CSS("#liste li a")), chromedp.WaitVisible(chromedp.CSS("article.sheet h1")))
	if h1 := eval[string](b, `document.querySelector("h1").textContent`); h1 != "France Services Brocéliande" {
		t.Fatalf("sheet title %q", h1)
	}
	text := eval[string](b, `document.body.innerText`)
	for _, want := range []string{"Comment bénéficier de ce service ?", "Tout public", "informations vérifiées le", "Ouvert maintenant, jusqu'à 12 h 30"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q", want)
		}
	}
	b.screenshot("fiche")
	b.noAxeViolations("la fiche d'un lieu")

	// Report an error and find it stored for the referent.
	b.do("open the report form", chromedp.Click(chromedp.CSS("#signaler summary")))
	b.do("fill the report",
		chromedp.Click(chromedp.CSS(`input[name=categories][value=horaires]`)),
		chromedp.SendKeys(chromedp.ID("message"), "Fermé le samedi depuis septembre."),
		chromedp.Click(chromedp.CSS(`#signaler button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#signaler .success")))
	reps, err := b.st.Reports(context.Background(), demo.BroceliandeSIREN)
	if err != nil || len(reps) != 1 || reps[0].Message != "Fermé le samedi depuis septembre." || reps[0].Categories[0] != "horaires" {
		t.Fatalf("stored reports = %+v, %v", reps, err)
	}
}

func TestBrowserOrientation(t *testing.T) {
	b := newBrowserEnv(t)
	b.open("/orientation")
	b.noAxeViolations("l'orientation (étape 1)")
	b.do("need", chromedp.Click(chromedp.CSS(`input[name=services][value=aide-demarches]`)), chromedp.Click(chromedp.CSS(".wizard button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("ou")))
	b.do("where", chromedp.SendKeys(chromedp.ID("ou"), "Plélan-le-Grand"), chromedp.Click(chromedp.CSS(".wizard button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`input[value=lundi-matin]`)))
	b.do("when", chromedp.Click(chromedp.CSS(`input[value=lundi-matin]`)), chromedp.Click(chromedp.CSS(".wizard button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`input[name=publics]`)))
	b.do("specific needs", chromedp.Click(chromedp.CSS(".wizard button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".ranked li")))
	b.screenshot("orientation-resultats")
	b.noAxeViolations("les résultats de l'orientation")
	first := eval[string](b, `document.querySelector(".ranked li").innerText`)
	if !strings.Contains(first, "35380 Plélan-le-Grand") {
		t.Errorf("nearest place for démarches in Plélan: %q", first)
	}
	if !strings.Contains(first, " m —") && !strings.Contains(first, " km —") {
		t.Errorf("no distance in %q", first)
	}
	hist, _ := b.st.PlaceHistory(context.Background(), "x")
	reportsBefore, _ := b.st.Reports(context.Background(), demo.BroceliandeSIREN)

	b.do("referral form", chromedp.Click(chromedp.CSS(".ranked li a.button")), chromedp.WaitVisible(chromedp.ID("personne")))
	b.do("fill referral", chromedp.SendKeys(chromedp.ID("personne"), "Josiane"),
		chromedp.SendKeys(chromedp.ID("prescripteur"), "Marc Travailleur"),
		chromedp.SendKeys(chromedp.ID("structure"), "CDAS de Montfort"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("article.fiche")))
	sheet := eval[string](b, `document.querySelector("article.fiche").innerText`)
	for _, want := range []string{"Pour Josiane", "Marc Travailleur, CDAS de Montfort", "À apporter", "pièce d'identité", "Horaires"} {
		if !strings.Contains(sheet, want) {
			t.Errorf("referral sheet lacks %q:\n%s", want, sheet)
		}
	}
	b.screenshot("fiche-orientation")
	ctx, cancel := context.WithTimeout(b.tab, 20*time.Second)
	defer cancel()
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF())
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("print: %v", err)
	}
	// Nothing about the person was stored.
	reportsAfter, _ := b.st.Reports(context.Background(), demo.BroceliandeSIREN)
	if len(reportsAfter) != len(reportsBefore) || len(hist) != 0 {
		t.Error("the orientation stored something")
	}
	for _, p := range []string{"/", "/orientation"} {
		b.open(p)
		if strings.Contains(eval[string](b, `document.body.innerHTML`), "Josiane") {
			t.Errorf("%s shows the person's name", p)
		}
	}
}

func TestBrowserEmbedAndAccessibility(t *testing.T) {
	b := newBrowserEnv(t)
	b.open("/embed?epci=" + demo.BroceliandeSIREN)
	b.until("embed markers", markers+` > 0 && document.querySelectorAll("#liste li").length > 0`)
	if eval[bool](b, `!!document.querySelector("header.site")`) {
		t.Error("the embed page has the site header")
	}
	addresses := eval[[]string](b, `[...document.querySelectorAll("#liste .addr")].map(e => e.textContent)`)
	for _, a := range addresses {
		if !strings.Contains(a, "35310") && !strings.Contains(a, "35380") && !strings.Contains(a, "35160") {
			t.Errorf("embed filtered on Brocéliande lists %q", a)
		}
		if strings.Contains(a, "Montfort-sur-Meu") {
			t.Errorf("a Montfort place in the Brocéliande embed: %s", a)
		}
	}
	b.screenshot("embed")
	b.noAxeViolations("la carte intégrée")

	b.open("/")
	b.until("map markers", markers+` > 0`)
	b.noAxeViolations("la carte")
	b.open("/integrer?epci=" + demo.BroceliandeSIREN)
	if code := eval[string](b, `document.querySelector("#code").value`); !strings.Contains(code, `<iframe src="`+b.srv.URL[:0]) || !strings.Contains(code, "/embed?epci=243500618") {
		t.Errorf("embed code %q", code)
	}
	b.noAxeViolations("le générateur d'intégration")
	b.open("/donnees-personnelles")
	b.noAxeViolations("la page Données personnelles")
	b.open("/accessibilite")
	b.noAxeViolations("la déclaration d'accessibilité")

	// A 360-pixel phone: no horizontal scrolling, map and list both there.
	b.do("phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile), chromedp.Navigate(b.srv.URL+"/"))
	b.until("phone markers", markers+` > 0`)
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("page is %d px wide on a 360-px phone", w)
	}
	b.screenshot("telephone")
}

func TestBrowserAddressSearch(t *testing.T) {
	b := newBrowserEnv(t)
	b.open("/")
	b.until("map", markers+` > 0`)
	b.do("search an address", chromedp.SendKeys(chromedp.ID("adresse"), "rue des Korrigans"), chromedp.Click(chromedp.ID("adresse-ok")))
	b.until("centred", `document.querySelector("#adresse-message").textContent.includes("Carte centrée sur") && new URLSearchParams(location.search).get("z") === "15"`)
	// Geocoder down: the page says so and the rest keeps working.
	b.geo.Down.Store(true)
	b.do("search while down", chromedp.SetValue(chromedp.ID("adresse"), "Paimpont"), chromedp.Click(chromedp.ID("adresse-ok")))
	b.until("down message", `document.querySelector("#adresse-message").textContent.includes("indisponible")`)
	b.do("name search still works", chromedp.SendKeys(chromedp.ID("q"), "mairie"))
	b.until("list after outage", `document.querySelectorAll("#liste li").length > 0`)
	if errors.Is(nil, nil) && b.geo.Calls.Load() < 2 {
		t.Error("the geocoder was not called")
	}
}
