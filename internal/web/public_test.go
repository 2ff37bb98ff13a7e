package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"portrea/internal/demo"
	"portrea/internal/geocode/geocodetest"
	"portrea/internal/report"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// seededServer is the real server on the demo territory with a fake
// geocoder.
func seededServer(t *testing.T) (*Server, *store.Store, *geocodetest.Fake) {
	t.Helper()
	st := storetest.OpenSQLite(t)
	if _, err := demo.Seed(context.Background(), st, territory.Default(), testNow); err != nil {
		t.Fatal(err)
	}
	geo := geocodetest.Start(t)
	return newTestServer(t, st, geo.URL), st, geo
}

func TestAPIMapClusters(t *testing.T) {
	s, _, _ := seededServer(t)
	h := s.routes()
	var res struct {
		Total    int
		Clusters []struct {
			Lat, Lon float64
			N        int
		}
		Lieux []struct{ ID, Nom string }
	}
	decode := func(target string) {
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Fatalf("%s = %d %s", target, rec.Code, rec.Body)
		}
		res.Clusters, res.Lieux = nil, nil
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
	}
	decode("/api/v1/carte?bbox=-5,42,8,51&zoom=5")
	if res.Total != 39 || len(res.Clusters) != 1 || res.Clusters[0].N != 39 || len(res.Lieux) != 0 {
		t.Errorf("country view: %+v", res)
	}
	decode("/api/v1/carte?bbox=-2.3,47.9,-1.7,48.2&zoom=18")
	n := len(res.Lieux)
	for _, c := range res.Clusters {
		n += c.N
	}
	if n != res.Total || len(res.Lieux) < 20 {
		t.Errorf("street view: %d single places, counts add up to %d of %d", len(res.Lieux), n, res.Total)
	}
	decode("/api/v1/carte?bbox=-2.3,47.9,-1.7,48.2&zoom=10&services=parentalite")
	if res.Total == 0 || res.Total >= 39 {
		t.Errorf("filtered: total %d", res.Total)
	}
	for _, target := range []string{"/api/v1/carte?zoom=5", "/api/v1/carte?bbox=-5,42,8,51", "/api/v1/carte?bbox=-5,42,8,51&zoom=99"} {
		if rec := get(t, h, target); rec.Code != 400 || !strings.Contains(rec.Body.String(), "zoom") {
			t.Errorf("%s = %d", target, rec.Code)
		}
	}
}

func TestAPIAddresses(t *testing.T) {
	s, _, geo := seededServer(t)
	h := s.routes()
	rec := get(t, h, "/api/v1/adresses?q="+url.QueryEscape("rue des Korrigans"))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"code_insee":"35223"`) {
		t.Fatalf("address search = %d %s", rec.Code, rec.Body)
	}
	geo.Down.Store(true)
	rec = get(t, h, "/api/v1/adresses?q=Paimpont")
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "indisponible") {
		t.Errorf("geocoder down = %d %s", rec.Code, rec.Body)
	}
	// The map page does not depend on the geocoder.
	if rec := get(t, h, "/"); rec.Code != 200 {
		t.Errorf("map page with the geocoder down = %d", rec.Code)
	}
	for i := 0; i < 60; i++ {
		get(t, h, "/api/v1/adresses?q=ab")
	}
	if rec := get(t, h, "/api/v1/adresses?q=Paimpont"); rec.Code != 429 {
		t.Errorf("61st search in a minute = %d, want 429", rec.Code)
	}
}

// post sends a form the way a browser on the same site does.
func post(t *testing.T, h http.Handler, target string, form url.Values, headers map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestReportForm(t *testing.T) {
	s, st, _ := seededServer(t)
	s.minFormAge = 3 * time.Second
	h := s.routes()
	page, _ := st.ListPublicPlaces(context.Background(), store.PlaceFilter{Q: "Mairie de Paimpont", Limit: 1})
	id := page.Places[0].ID
	target := "/lieux/" + id + "/signaler"
	token := func(age time.Duration, subject string) string { return s.formToken(subject, testNow.Add(-age)) }
	good := url.Values{"jeton": {token(time.Minute, id)}, "categories": {"horaires"}, "message": {"Fermé le mardi."}}
	count := func() int {
		r, _ := st.Reports(context.Background(), demo.BroceliandeSIREN)
		return len(r)
	}
	attacks := []struct {
		name    string
		form    url.Values
		headers map[string]string
		status  int
	}{
		{"sent too fast (robot)", url.Values{"jeton": {token(time.Second, id)}, "categories": {"horaires"}}, nil, 400},
		{"expired token", url.Values{"jeton": {token(3*time.Hour, id)}, "categories": {"horaires"}}, nil, 400},
		{"token of another place", url.Values{"jeton": {token(time.Minute, "autre")}, "categories": {"horaires"}}, nil, 400},
		{"forged token", url.Values{"jeton": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "categories": {"horaires"}}, nil, 400},
		{"honeypot filled", url.Values{"jeton": {token(time.Minute, id)}, "categories": {"horaires"}, "site": {"http://spam"}}, nil, 303},
		{"cross-site post", good, map[string]string{"Sec-Fetch-Site": "cross-site"}, 303},
		{"unknown category", url.Values{"jeton": {token(time.Minute, id)}, "categories": {"piratage"}}, nil, 422},
		{"empty report", url.Values{"jeton": {token(time.Minute, id)}}, nil, 422},
		{"message too long", url.Values{"jeton": {token(time.Minute, id)}, "message": {strings.Repeat("x", report.MaxMessage+1)}}, nil, 422},
		{"bad email", url.Values{"jeton": {token(time.Minute, id)}, "categories": {"horaires"}, "email": {"moi@"}}, nil, 422},
	}
	for _, a := range attacks {
		rec := post(t, h, target, a.form, a.headers)
		if rec.Code != a.status {
			t.Errorf("%s: status %d, want %d", a.name, rec.Code, a.status)
		}
		if rec.Code >= 400 && !strings.Contains(rec.Body.String(), `class="error"`) {
			t.Errorf("%s: no French explanation on the page", a.name)
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("%d reports stored by refused posts", n)
	}
	rec := post(t, h, target, good, nil)
	if rec.Code != 303 || !strings.Contains(rec.Header().Get("Location"), "signalement=merci") || count() != 1 {
		t.Fatalf("good report: %d %s, %d stored", rec.Code, rec.Header().Get("Location"), count())
	}
	if !strings.Contains(get(t, h, strings.Split(rec.Header().Get("Location"), "#")[0]).Body.String(), "Merci : votre signalement a été transmis") {
		t.Error("no thanks after the report")
	}
	// Rate limit: 5 reports per hour from one client.
	for i := 0; i < 6; i++ {
		rec = post(t, h, target, good, nil)
	}
	if rec.Code != 429 || count() != 5 {
		t.Errorf("7th report in an hour: %d, %d stored", rec.Code, count())
	}
	if rec := post(t, h, "/lieux/inconnu/signaler", url.Values{"jeton": {token(time.Minute, "inconnu")}, "categories": {"horaires"}}, map[string]string{"X-Forwarded-For": "1.2.3.4"}); rec.Code == 303 {
		t.Errorf("report on an unknown place accepted")
	}
}

func TestOrientationSteps(t *testing.T) {
	s, _, geo := seededServer(t)
	h := s.routes()
	body := func(target string) string {
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Fatalf("%s = %d", target, rec.Code)
		}
		return rec.Body.String()
	}
	if b := body("/orientation"); !strings.Contains(b, "De quoi la personne a-t-elle besoin ?") {
		t.Error("step 1")
	}
	// A postcode shared by several communes asks which one.
	b := body("/orientation?etape=3&services=aide-demarches&ou=35380&rayon=10")
	if !strings.Contains(b, "Plusieurs lieux correspondent") || !strings.Contains(b, "Paimpont (35380)") || !strings.Contains(b, "Maxent (35380)") {
		t.Error("ambiguous postcode not offered as choices")
	}
	// An address goes to the geocoder; when it is down, the page says so.
	geo.Down.Store(true)
	if b := body("/orientation?etape=3&services=aide-demarches&ou=" + url.QueryEscape("1 rue des Korrigans")); !strings.Contains(b, "indisponible") || !strings.Contains(b, `id="ou"`) {
		t.Error("geocoder down during orientation")
	}
	geo.Down.Store(false)
	b = body("/orientation?etape=3&services=aide-demarches&ou=" + url.QueryEscape("1 rue des Korrigans") + "&rayon=5")
	if !strings.Contains(b, "Quand la personne est-elle disponible ?") || !strings.Contains(b, `name="autour" value="47.99870,-2.08390"`) {
		t.Error("address not resolved to a point carried to the next step")
	}
	res := body("/orientation?etape=5&services=aide-demarches&autour=47.9987,-2.0839&lieu=Pl%C3%A9lan&rayon=5&quand=samedi-matin")
	if !strings.Contains(res, "Lieux proposés") || !strings.Contains(res, "Disponible : samedi le matin") {
		t.Fatal("results page")
	}
	if strings.Contains(res, "Mairie de Paimpont") { // open on weekdays only
		t.Error("a place closed on Saturday offered for Saturday morning")
	}
	if !strings.Contains(res, "France Services Brocéliande") {
		t.Error("France Services, open on Saturday morning, missing")
	}
}

func TestEmbedHeadersAndCode(t *testing.T) {
	s, _, _ := seededServer(t)
	h := s.routes()
	rec := get(t, h, "/embed?epci=243500618")
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") || rec.Header().Get("X-Frame-Options") != "" {
		t.Errorf("embed cannot be framed: %q", csp)
	}
	if csp := get(t, h, "/").Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "img-src 'self' data: https://tile.openstreetmap.org") {
		t.Errorf("map CSP %q", csp)
	}
	code := get(t, h, "/integrer?epci=243500618&services=aide-demarches&commune=35211&hauteur=500").Body.String()
	if !strings.Contains(code, `/embed?commune=35211&amp;amp;epci=243500618&amp;amp;services=aide-demarches`) || !strings.Contains(code, `height=&#34;500&#34;`) {
		t.Errorf("embed code not generated:\n%s", code[strings.Index(code, "<textarea"):strings.Index(code, "</textarea>")])
	}
	if rec := get(t, h, "/embed?epci=999"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "SIREN") {
		t.Error("a bad filter must be explained, not crash the embed")
	}
}
