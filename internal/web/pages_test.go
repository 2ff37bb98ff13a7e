package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"portrea/internal/openinghours"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

func openAt(t *testing.T, hours string, at time.Time) bool {
	t.Helper()
	oh, err := openinghours.Parse(hours)
	return err == nil && oh.OpenAt(at)
}

func TestPages(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := demoServer(t, st)
	home := get(t, h, "/")
	if home.Code != 200 || !strings.Contains(home.Body.String(), "Lieux d'inclusion numérique") || !strings.Contains(home.Body.String(), `lang="fr"`) {
		t.Fatalf("home = %d", home.Code)
	}
	search := get(t, h, "/?q=mediatheque").Body.String()
	if !strings.Contains(search, "Médiathèque de Paimpont") || strings.Contains(search, "Mairie de Paimpont") {
		t.Error("home search does not filter accent-insensitively")
	}
	if !strings.Contains(get(t, h, "/?q=zzzz").Body.String(), "Aucun lieu ne correspond") {
		t.Error("empty search result not said")
	}

	res, err := st.ListPublicPlaces(context.Background(), store.PlaceFilter{Q: "France Services Brocéliande", Limit: 1})
	if err != nil || len(res.Places) != 1 {
		t.Fatalf("demo place not found: %v", err)
	}
	sheet := get(t, h, "/lieux/"+res.Places[0].ID).Body.String()
	for _, want := range []string{"France Services Brocéliande", "Ouvert maintenant", "jeudi", "9 h", "Comment bénéficier de ce service ?", "Tout public", "informations vérifiées le", "Aide aux démarches administratives"} {
		if !strings.Contains(sheet, want) {
			t.Errorf("place sheet lacks %q", want)
		}
	}
	noPublic, _ := st.ListPublicPlaces(context.Background(), store.PlaceFilter{Q: "Coordination numérique", Limit: 1})
	if !strings.Contains(get(t, h, "/lieux/"+noPublic.Places[0].ID).Body.String(), "n'accueille pas de public") {
		t.Error("no warning on a place that does not receive the public")
	}
	if rec := get(t, h, "/lieux/inconnu"); rec.Code != 404 || !strings.Contains(rec.Body.String(), "Lieu introuvable") {
		t.Errorf("unknown place page = %d", rec.Code)
	}
}

func TestHealthzAndHeaders(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHandler(t, st)
	rec := get(t, h, "/healthz")
	if rec.Code != 200 {
		t.Errorf("healthz = %d", rec.Code)
	}
	for _, k := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} {
		if rec.Header().Get(k) == "" {
			t.Errorf("header %s missing", k)
		}
	}
	st.Close()
	if rec := get(t, h, "/healthz"); rec.Code != 503 {
		t.Errorf("healthz with the database closed = %d", rec.Code)
	}
}

func TestStaticAssetsHashed(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHandler(t, st)
	home := get(t, h, "/").Body.String()
	i := strings.Index(home, "/static/")
	if i < 0 {
		t.Fatal("no static link on the home page")
	}
	u := home[i : i+strings.Index(home[i:], `"`)]
	rec := get(t, h, u)
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") || !strings.Contains(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("GET %s = %d, %q", u, rec.Code, rec.Header().Get("Cache-Control"))
	}
	if rec := get(t, h, "/static/0000/css/portrea.css"); rec.Code != 200 || strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("old hash: %d %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if rec := get(t, h, "/static/x/../../web.go"); rec.Code == 200 {
		t.Error("path traversal served a file")
	}
}

func TestOpenStatus(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, place.Paris) } // 26 = Thursday
	tests := []struct {
		hours string
		now   time.Time
		want  string
	}{
		{"Mo-Fr 09:00-12:30,13:30-17:30", at(26, 10, 30), "Ouvert maintenant, jusqu'à 12 h 30"},
		{"Mo-Fr 09:00-12:30,13:30-17:30", at(26, 12, 45), "Fermé actuellement, ouvre à 13 h 30"},
		{"Mo-Fr 09:00-12:30,13:30-17:30", at(26, 18, 0), "Fermé actuellement, ouvre demain à 9 h"},
		{"Mo-Fr 09:00-12:30,13:30-17:30", at(27, 18, 0), "Fermé actuellement, ouvre lundi à 9 h"},
		{"Fr 22:00-02:00", at(27, 23, 0), "Ouvert maintenant, jusqu'à demain 2 h"},
		{"24/7", at(26, 3, 0), "Ouvert maintenant"},
		{"off", at(26, 3, 0), "Fermé actuellement"},
	}
	for _, tt := range tests {
		oh, err := openinghours.Parse(tt.hours)
		if err != nil {
			t.Fatal(err)
		}
		if got := openStatus(oh, tt.now); got != tt.want {
			t.Errorf("%q at %s: %q, want %q", tt.hours, tt.now.Format("Mon 15:04"), got, tt.want)
		}
	}
}

func TestKmFR(t *testing.T) {
	for km, want := range map[float64]string{0.113: "110 m", 2.44: "2,4 km", 12.6: "13 km"} {
		if got := kmFR(km); got != want {
			t.Errorf("kmFR(%v) = %q, want %q", km, got, want)
		}
	}
}

func TestCompression(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := demoServer(t, st)
	req := httptest.NewRequest("GET", "/api/v1/export/lieux-de-mediation-numerique.csv", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatal("CSV not compressed")
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, get(t, h, "/api/v1/export/lieux-de-mediation-numerique.csv").Body.Bytes()) {
		t.Errorf("compressed body differs from the plain one: %v", err)
	}
	req = httptest.NewRequest("GET", "/static/x/vendor/leaflet/images/marker-icon.png", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "" {
		t.Error("a PNG was compressed again")
	}
}
