package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"portrea/internal/demo"
	"portrea/internal/geoapi/geoapitest"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// portraitEnv is a server on the demo data (Brocéliande in exploitation,
// Montfort in déploiement) with the demo accounts.
func portraitEnv(t *testing.T, st *store.Store) (*Server, http.Handler) {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Seed(ctx, st, territory.Default(), testNow); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedAccounts(ctx, st); err != nil {
		t.Fatal(err)
	}
	s := newTestServer(t, st, "http://127.0.0.1:1")
	return s, s.routes()
}

func TestPortraitHTML(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		_, h := portraitEnv(t, st)
		rec := get(t, h, "/territoires/"+demo.BroceliandeSIREN+"/portrait")
		if rec.Code != http.StatusOK {
			t.Fatalf("portrait: %d", rec.Code)
		}
		page := rec.Body.String()
		for _, want := range []string{
			"CC Brocéliande Communauté", "Chiffres clés", "lieux pour 10 000 habitants", "communes avec au moins un lieu",
			"Aide aux démarches administratives", "Horaires d'ouverture", "Communes sans lieu", "Comparaison", "Ille-et-Vilaine", "Bretagne",
			"EPCI médian", "Sources et méthode", "base de discussion avec les acteurs du territoire", `role="img"`, "<desc",
			"Communauté de communes", "xploitation",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the portrait lacks %q", want)
			}
		}
		// A public visitor sees no referent's address, and no private contact.
		if strings.Contains(page, "@broceliande.demo.portrea.fr") || strings.Contains(page, "example.org") {
			t.Error("the public portrait shows an e-mail address")
		}
		// This month's key figures are kept.
		if ss, err := st.Snapshots(context.Background(), demo.BroceliandeSIREN); err != nil || len(ss) != 1 || ss[0].Places == 0 {
			t.Errorf("snapshots %+v %v", ss, err)
		}
	})
}

func TestPortraitAccess(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		_, h := portraitEnv(t, st)
		const montfort = "243500550" // in déploiement: not published
		for _, path := range []string{"/territoires/" + montfort + "/portrait", "/territoires/" + montfort + "/portrait.pdf", "/territoires/000000000/portrait"} {
			if rec := get(t, h, path); rec.Code != http.StatusNotFound {
				t.Errorf("%s: %d, want 404 for the public", path, rec.Code)
			}
		}
		ref := loginAs(t, h, "referent@montfort.demo.portrea.fr", "demo-montfort-2026")
		if rec := ref.get(t, h, "/territoires/"+montfort+"/portrait"); rec.Code != http.StatusOK {
			t.Errorf("the territory's referent: %d", rec.Code)
		}
		// A referent cannot write another territory's foreword.
		if rec := ref.post(t, h, "/gestion/portraits/"+demo.BroceliandeSIREN+"/avant-propos", url.Values{"avant_propos": {"pirate"}}); rec.Code != http.StatusNotFound {
			t.Errorf("foreword of another territory: %d", rec.Code)
		}
		if fw, _ := st.Foreword(context.Background(), demo.BroceliandeSIREN); fw != "" {
			t.Errorf("foreword written: %q", fw)
		}
	})
}

func TestPortraitForewordAndOutlines(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		s, _ := portraitEnv(t, st)
		geo := geoapitest.Start(t)
		s.cfg.GeoAPIURL = geo.URL
		h := s.routes()
		ref := loginAs(t, h, boReferentEmail, boReferentPassword)
		text := "Ce portrait prépare la journée collaborative du 12 mars : <b>à discuter</b>."
		if rec := ref.post(t, h, "/gestion/portraits/"+demo.BroceliandeSIREN+"/avant-propos", url.Values{"avant_propos": {text}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("foreword: %d", rec.Code)
		}
		if rec := ref.post(t, h, "/gestion/portraits/"+demo.BroceliandeSIREN+"/contours", nil); rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "ok=contours#") {
			t.Fatalf("outlines: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		page := get(t, h, "/territoires/"+demo.BroceliandeSIREN+"/portrait").Body.String()
		if !strings.Contains(page, "journée collaborative du 12 mars : &lt;b&gt;à discuter&lt;/b&gt;") {
			t.Error("the foreword is missing or not escaped")
		}
		if !strings.Contains(page, "<path") || strings.Contains(page, "Contours des communes non disponibles") {
			t.Error("the map does not draw the stored outlines")
		}
		// The service down: the refresh says so and keeps what is stored.
		geo.Down.Store(true)
		if rec := ref.post(t, h, "/gestion/portraits/"+demo.BroceliandeSIREN+"/contours", nil); !strings.Contains(rec.Header().Get("Location"), "contours-indisponibles") {
			t.Errorf("refresh while down: %s", rec.Header().Get("Location"))
		}
		if page := get(t, h, "/territoires/"+demo.BroceliandeSIREN+"/portrait").Body.String(); !strings.Contains(page, "<path") {
			t.Error("the stored outlines were lost")
		}
	})
}

// TestPortraitPDF: the demo portrait as a PDF drawn by the binary, several
// pages, whose text holds the key figures in French with accents.
func TestPortraitPDF(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: apt-get install -y poppler-utils (part of the acceptance)")
	}
	st := storetest.OpenSQLite(t)
	_, h := portraitEnv(t, st)
	rec := get(t, h, "/territoires/"+demo.BroceliandeSIREN+"/portrait.pdf")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF-")) {
		t.Fatalf("pdf: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	file := filepath.Join(t.TempDir(), "portrait.pdf")
	if err := os.WriteFile(file, rec.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	if pages := strings.Count(text, "\f"); pages < 2 {
		t.Errorf("%d pages, want several", pages)
	}
	html := get(t, h, "/territoires/"+demo.BroceliandeSIREN+"/portrait").Body.String()
	for _, want := range []string{"CC Brocéliande Communauté", "Aide aux démarches administratives", "Communes sans lieu", "habitants", "Ille-et-Vilaine", "base de discussion"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF text lacks %q", want)
		}
	}
	// The same key figure as the HTML: the number of places.
	places := between(html, "<li><strong>", "</strong> lieux d'inclusion numérique")
	if places == "" || !strings.Contains(text, places) {
		t.Errorf("the PDF does not show the %q places of the HTML", places)
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}

func TestPortraitChosenWeekday(t *testing.T) {
	st := storetest.OpenSQLite(t)
	_, h := portraitEnv(t, st)
	page := get(t, h, "/territoires/"+demo.BroceliandeSIREN+"/portrait?jour=samedi").Body.String()
	if !strings.Contains(page, `<option value="samedi" selected>`) || !strings.Contains(page, "le samedi") || !strings.Contains(page, "portrait.pdf?jour=samedi") {
		t.Error("the hours chart does not follow ?jour=samedi")
	}
	if page := get(t, h, "/territoires/"+demo.BroceliandeSIREN+"/portrait?jour=%3Cscript%3E").Body.String(); !strings.Contains(page, `<option value="mardi" selected>`) {
		t.Error("an unknown day does not fall back to Tuesday")
	}
}
