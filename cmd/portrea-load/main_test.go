package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"portrea/internal/config"
	"portrea/internal/demo"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
	"portrea/internal/web"
)

// demoSite serves the real handler on the demo territory and accounts.
func demoSite(t *testing.T, st *store.Store) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	ref := territory.Default()
	if _, err := demo.Seed(ctx, st, ref, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedAccounts(ctx, st); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.FromEnv(func(k string) string {
		switch k {
		case "PORTREA_GEOCODER_URL", "PORTREA_GEOAPI_URL":
			return "http://127.0.0.1:1" // no external service in tests
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(ctx, cfg, st, ref, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// A short run with a few users, editors of both demo accounts among them:
// no request fails, every kind of visit happens, and the edits are in
// the database. Nothing here is timed: speed is measured by running the
// command against a real server.
func TestLoadDemo(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		srv := demoSite(t, st)
		creds, err := parseCredentials(demoReferents)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), Config{BaseURL: srv.URL, Users: 10, Duration: 3 * time.Second,
			ThinkMax: 50 * time.Millisecond, EditorShare: 0.3, Referents: creds, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		var table strings.Builder
		res.WriteTable(&table)
		t.Logf("\n%s", table.String())
		if res.Errors != 0 {
			t.Errorf("%d requests failed: %v", res.Errors, res.ErrorSamples)
		}
		if res.Editors != 3 {
			t.Errorf("%d editors, want 3", res.Editors)
		}
		for _, k := range []string{kindMap, kindSearch, kindSheet, kindOrientation, kindEdit} {
			if res.Kinds()[k] == 0 {
				t.Errorf("no request of kind %q", k)
			}
		}
		routes := map[string]int{}
		for _, rs := range res.Routes {
			routes[rs.Route] = rs.Count
		}
		for _, r := range []string{"GET /", "GET /api/v1/carte", "GET /api/v1/lieux", "GET /lieux/{id}", "GET /orientation",
			"GET /api/v1/lieux?q=…", "GET /gestion/lieux/{id}", "POST /gestion/lieux/{id}"} {
			if routes[r] == 0 {
				t.Errorf("route %s never requested", r)
			}
		}
		// Three editors, three different places, each holding the last
		// marker its editor saved.
		if len(res.Edits) != 3 || res.Saves < 3 {
			t.Fatalf("edits %v (%d saves), want 3 places edited", res.Edits, res.Saves)
		}
		epcis := map[string]bool{}
		for id, marker := range res.Edits {
			p, err := st.GetPlace(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			epcis[p.EPCI] = true
			if !strings.HasSuffix(p.Notes, marker) || strings.Count(p.Notes, loadMarker) != 1 {
				t.Errorf("place %s notes %q, want them to end with %q once", id, p.Notes, marker)
			}
			// The form went back as rendered: the editors' saves changed
			// the notes and nothing else.
			hs, err := st.PlaceHistory(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				if !strings.Contains(h.Actor.Name, "demo.portrea.fr") {
					continue
				}
				for _, c := range h.Changes {
					if c.Field != "notes" {
						t.Errorf("place %s: a save changed %s from %q to %q", id, c.Field, c.Old, c.New)
					}
				}
			}
		}
		if !epcis[demo.BroceliandeSIREN] || !epcis[demo.MontfortSIREN] {
			t.Errorf("edited territories %v, want both demo referents' territories", epcis)
		}
	})
}

// The failures a run must count: a status the page should not have, a
// broken answer, and a server that does not answer at all.
func TestRunCountsFailures(t *testing.T) {
	st := storetest.OpenSQLite(t)
	srv := demoSite(t, st)
	rec := newRecorder()
	c := newClient(Config{BaseURL: srv.URL, Users: 1, Timeout: 5 * time.Second}, rec)
	ctx := context.Background()
	c.do(ctx, kindSheet, "GET /lieux/{id}", "GET", "/lieux/inexistant", nil, "", 200, htmlPage())
	c.do(ctx, kindMap, "GET /api/v1/carte", "GET", "/api/v1/carte?zoom=3", nil, "", 200, nil)
	c.do(ctx, kindMap, "GET /", "GET", "/", nil, "", 200, htmlPage("texte absent de la page"))
	if _, err := c.do(ctx, kindMap, "GET /", "GET", "/", nil, "", 200, htmlPage()); err != nil {
		t.Errorf("home: %v", err)
	}
	down := newClient(Config{BaseURL: "http://127.0.0.1:1", Users: 1, Timeout: 5 * time.Second}, rec)
	down.do(ctx, kindMap, "GET /", "GET", "/", nil, "", 200, nil)
	var res Result
	rec.summarize(&res, time.Second)
	if res.Errors != 4 || res.Requests != 5 {
		t.Errorf("%d errors in %d requests, want 4 in 5: %v", res.Errors, res.Requests, res.ErrorSamples)
	}
	// A server without places cannot be loaded: the run says so.
	empty := httptest.NewServer(nil)
	defer empty.Close()
	if _, err := Run(ctx, Config{BaseURL: empty.URL, Users: 1, Duration: time.Second}); err == nil {
		t.Error("run against a server that is not PORTREA: no error")
	}
}

func TestExtractForm(t *testing.T) {
	page := `<form method="post" action="/autre"><input name="x" value="1"></form>
<form method="post" action="/gestion/lieux/abc" class="editor">
  <input type="hidden" name="csrf" value="jeton&amp;1">
  <input type="text" id="nom" name="nom" value="Médiathèque l&#39;Arbre" required>
  <label><input type="checkbox" name="services" value="a" checked> A</label>
  <label><input type="checkbox" name="services" value="b"> B</label>
  <select id="statut" name="statut"><option value="actif">Actif</option><option value="ferme" selected>Fermé</option></select>
  <select name="extra.k"><option value="">—</option><option value="oui">Oui</option></select>
  <textarea id="notes" name="notes" rows="3">ligne 1
ligne &lt;2&gt;</textarea>
  <input type="text" name="vide">
  <button type="submit">Enregistrer</button>
</form>`
	got, err := extractForm(page, "/gestion/lieux/abc")
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"csrf": {"jeton&1"}, "nom": {"Médiathèque l'Arbre"}, "services": {"a"}, "statut": {"ferme"},
		"extra.k": {""}, "notes": {"ligne 1\nligne <2>"}, "vide": {""}}
	if got.Encode() != want.Encode() {
		t.Errorf("form\n got %v\nwant %v", got, want)
	}
	if _, err := extractForm(page, "/gestion/lieux/zzz"); err == nil {
		t.Error("missing form: no error")
	}
}

func TestWithMarker(t *testing.T) {
	for _, c := range []struct{ notes, want string }{
		{"", "[test de charge] 2"},
		{"Appeler le mardi.\r\n", "Appeler le mardi.\n[test de charge] 2"},
		{"Appeler le mardi.\n\nCode porte 12\n[test de charge] 1", "Appeler le mardi.\n\nCode porte 12\n[test de charge] 2"},
	} {
		if got := withMarker(c.notes, "[test de charge] 2"); got != c.want {
			t.Errorf("withMarker(%q) = %q, want %q", c.notes, got, c.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{.5, 50 * time.Millisecond}, {.9, 90 * time.Millisecond}, {.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := percentile(d, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if percentile(nil, .5) != 0 {
		t.Error("empty percentile")
	}
}

func TestParseCredentials(t *testing.T) {
	got, err := parseCredentials(demoReferents)
	if err != nil || len(got) != 2 || got[1].Email != "referent@montfort.demo.portrea.fr" || got[1].Password != "demo-montfort-2026" {
		t.Errorf("parseCredentials(demo) = %v, %v", got, err)
	}
	if _, err := parseCredentials("sans-mot-de-passe"); err == nil {
		t.Error("no password: no error")
	}
}
