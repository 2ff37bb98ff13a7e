package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"portrea/internal/config"
	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/place/schematest"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// testNow is a Thursday at 10:30 in Paris.
var testNow = time.Date(2026, 11, 26, 10, 30, 0, 0, place.Paris)

// demoServer seeds the demo territory in st and returns the real router.
func demoServer(t *testing.T, st *store.Store) http.Handler {
	t.Helper()
	ref := territory.Default()
	if _, err := demo.Seed(context.Background(), st, ref, testNow); err != nil {
		t.Fatal(err)
	}
	return newHandler(t, st)
}

func newHandler(t testing.TB, st *store.Store) http.Handler {
	t.Helper()
	return newTestServer(t, st, "http://127.0.0.1:1").routes()
}

// newTestServer builds a server on st whose clock says testNow, which
// needs no delay to accept a form, and whose geocoder is at geocoderURL.
func newTestServer(t testing.TB, st *store.Store, geocoderURL string) *Server {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) string {
		switch k {
		case "PORTREA_GEOCODER_URL":
			return geocoderURL
		case "PORTREA_GEOAPI_URL":
			// No external service in tests: a portrait test that wants
			// outlines points this at geoapitest.
			return "http://127.0.0.1:1"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := newServer(context.Background(), cfg, st, territory.Default(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return testNow }
	s.minFormAge = 0
	return s
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
	return rec
}

type listResponse struct {
	Total int                      `json:"total"`
	Items []map[string]interface{} `json:"items"`
}

func getList(t *testing.T, h http.Handler, target string) listResponse {
	t.Helper()
	rec := get(t, h, target)
	if rec.Code != 200 {
		t.Fatalf("GET %s = %d %s", target, rec.Code, rec.Body)
	}
	var res listResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func ids(res listResponse) []string {
	var out []string
	for _, it := range res.Items {
		out = append(out, it["id"].(string))
	}
	return out
}

// The acceptance query: Brocéliande's places, all in its 8 communes, the
// same on both engines.
func TestAPIBroceliande(t *testing.T) {
	ref := territory.Default()
	e, _ := ref.EPCI(demo.BroceliandeSIREN)
	communes := map[string]bool{}
	for _, c := range e.Communes {
		communes[c] = true
	}
	var answers [][]string
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		h := demoServer(t, st)
		res := getList(t, h, "/api/v1/lieux?epci=243500618&limit=1000")
		if res.Total < 30 || res.Total > 60 || len(res.Items) != res.Total {
			t.Fatalf("total %d, %d items", res.Total, len(res.Items))
		}
		for _, it := range res.Items {
			if !communes[it["code_insee"].(string)] {
				t.Errorf("%s has code_insee %s outside Brocéliande", it["nom"], it["code_insee"])
			}
			for _, k := range []string{"id", "nom", "adresse", "code_postal", "commune", "code_insee", "latitude", "longitude", "services", "date_maj"} {
				if _, ok := it[k]; !ok {
					t.Errorf("%s: field %s missing", it["nom"], k)
				}
			}
		}
		answers = append(answers, ids(res))
	})
	if len(answers) == 2 && !reflect.DeepEqual(answers[0], answers[1]) {
		t.Errorf("SQLite and PostgreSQL answer differently:\n%v\n%v", answers[0], answers[1])
	}
}

func TestAPIFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		h := demoServer(t, st)
		// Places elsewhere in France, so that territory filters have
		// something to leave out.
		elsewhere := demo.Synthetic(territory.Default(), 40, 7)
		if _, err := st.InsertPlaces(context.Background(), elsewhere, store.Write{Actor: place.Actor{Kind: place.ActorSystem}}); err != nil {
			t.Fatal(err)
		}
		all := getList(t, h, "/api/v1/lieux?limit=1000")
		tests := []struct {
			query string
			check func(it map[string]interface{}) bool
		}{
			{"q=mediatheque", func(it map[string]interface{}) bool {
				return strings.Contains(place.Fold(it["nom"].(string)+" "+it["adresse"].(string)), "mediatheque")
			}},
			{"q=PLELAN%20m%C3%A9diath%C3%A8que", func(it map[string]interface{}) bool { return it["code_insee"] == "35223" }},
			{"commune=35211", func(it map[string]interface{}) bool { return it["code_insee"] == "35211" }},
			{"departement=35", func(it map[string]interface{}) bool { return it["departement"] == "35" }},
			{"services=" + url.QueryEscape("Accès internet et matériel informatique,Parentalité et éducation avec le numérique"), func(it map[string]interface{}) bool {
				s := strings.Join(toStrings(it["services"]), "|")
				return strings.Contains(s, "Accès internet") || strings.Contains(s, "Parentalité")
			}},
			{"bbox=-2.0,48.0,-1.85,48.1", func(it map[string]interface{}) bool {
				lat, ok1 := it["latitude"].(float64)
				lon, ok2 := it["longitude"].(float64)
				return ok1 && ok2 && lat >= 48.0 && lat <= 48.1 && lon >= -2.0 && lon <= -1.85
			}},
		}
		for _, tt := range tests {
			res := getList(t, h, "/api/v1/lieux?limit=1000&"+tt.query)
			if res.Total == 0 || res.Total >= all.Total {
				t.Errorf("%s: %d of %d places: the filter does not filter", tt.query, res.Total, all.Total)
			}
			for _, it := range res.Items {
				if !tt.check(it) {
					t.Errorf("%s: %v should not match", tt.query, it["nom"])
				}
			}
			// Every place left out by the filter really fails it.
			kept := map[string]bool{}
			for _, id := range ids(res) {
				kept[id] = true
			}
			for _, it := range all.Items {
				if !kept[it["id"].(string)] && tt.check(it) && !strings.HasPrefix(tt.query, "q=PLELAN") {
					t.Errorf("%s: %v wrongly left out", tt.query, it["nom"])
				}
			}
		}
		// Paging: pages are disjoint and cover the list in order.
		p1 := getList(t, h, "/api/v1/lieux?limit=10")
		p2 := getList(t, h, "/api/v1/lieux?limit=10&page=2")
		if p1.Total != all.Total || !reflect.DeepEqual(append(ids(p1), ids(p2)...), ids(all)[:20]) {
			t.Errorf("paging does not follow the full list")
		}
	})
}

func toStrings(v interface{}) []string {
	var out []string
	for _, x := range v.([]interface{}) {
		out = append(out, x.(string))
	}
	return out
}

func TestAPIOpenNow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		h := demoServer(t, st)
		res := getList(t, h, "/api/v1/lieux?limit=1000&ouvert=maintenant")
		all := getList(t, h, "/api/v1/lieux?limit=1000")
		open := map[string]bool{}
		for _, id := range ids(res) {
			open[id] = true
		}
		if res.Total == 0 || res.Total == all.Total {
			t.Fatalf("open now: %d of %d", res.Total, all.Total)
		}
		for _, it := range all.Items {
			want := false
			if hs, ok := it["horaires"].(string); ok {
				want = openAt(t, hs, testNow)
			}
			if open[it["id"].(string)] != want {
				t.Errorf("%s (%v): open now = %v, parser says %v", it["nom"], it["horaires"], open[it["id"].(string)], want)
			}
		}
	})
}

func TestAPIErrorsInFrench(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		h := newHandler(t, st)
		for target, want := range map[string]string{
			"/api/v1/lieux?services=Cuisine":                         "n'est pas une valeur de la liste officielle « Services »",
			"/api/v1/lieux?bbox=1,2,3":                               "bbox",
			"/api/v1/lieux?epci=123":                                 "SIREN",
			"/api/v1/lieux?limit=-1":                                 "limit",
			"/api/v1/lieux?ouvert=demain":                            "maintenant",
			"/api/v1/lieux?commune=99999":                            "code INSEE",
			"/api/v1/export/lieux-de-mediation-numerique.csv?epci=1": "SIREN",
		} {
			rec := get(t, h, target)
			if rec.Code != 400 || !strings.Contains(rec.Body.String(), want) {
				t.Errorf("GET %s = %d %s, want 400 with %q", target, rec.Code, rec.Body, want)
			}
		}
		if rec := get(t, h, "/api/v1/lieux/inconnu"); rec.Code != 404 || !strings.Contains(rec.Body.String(), "introuvable") {
			t.Errorf("unknown place = %d %s", rec.Code, rec.Body)
		}
	})
}

// privateValues are the private data of the demo: none may appear in any
// public response.
func privateValues(t *testing.T, st *store.Store) []string {
	t.Helper()
	var out []string
	page, err := st.ListPublicPlaces(context.Background(), store.PlaceFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, pp := range page.Places {
		p, err := st.GetPlace(context.Background(), pp.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{p.ContactNom, p.ContactEmail, p.ContactTelephone, p.Notes} {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("the demo should carry private data to protect, found %d values", len(out))
	}
	return out
}

func TestNoPrivateDataInPublicResponses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		h := demoServer(t, st)
		secrets := privateValues(t, st)
		page, _ := st.ListPublicPlaces(context.Background(), store.PlaceFilter{Limit: 1})
		targets := []string{
			"/", "/?q=mairie", "/lieux/" + page.Places[0].ID,
			"/api/v1/lieux?limit=1000", "/api/v1/lieux.geojson", "/api/v1/lieux/" + page.Places[0].ID,
			"/api/v1/export/lieux-de-mediation-numerique.csv", "/api/v1/export/lieux-de-mediation-numerique.json",
			"/api/openapi.json",
		}
		for _, id := range ids(getList(t, h, "/api/v1/lieux?limit=1000")) {
			targets = append(targets, "/api/v1/lieux/"+id, "/lieux/"+id)
		}
		for _, target := range targets {
			rec := get(t, h, target)
			if rec.Code != 200 {
				t.Errorf("GET %s = %d", target, rec.Code)
			}
			body := rec.Body.String()
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("GET %s leaks private value %q", target, s)
				}
			}
			for _, k := range []string{"contact_nom", "contact_email", "notes"} {
				if strings.Contains(body, `"`+k+`"`) {
					t.Errorf("GET %s has a field %s", target, k)
				}
			}
		}
	})
}

// Closed places are neither listed, exported nor shown.
func TestClosedPlacesHidden(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		h := demoServer(t, st)
		total, _ := st.CountPlaces(context.Background())
		res := getList(t, h, "/api/v1/lieux?limit=1000")
		if res.Total >= total {
			t.Fatalf("the demo's closed place is listed (%d listed of %d)", res.Total, total)
		}
		csvBody := get(t, h, "/api/v1/export/lieux-de-mediation-numerique.csv").Body.String()
		if strings.Contains(csvBody, "Club des aînés de Treffendel") || strings.Contains(get(t, h, "/api/v1/lieux?q=aines&limit=5").Body.String(), "Treffendel") {
			t.Error("a closed place is published")
		}
	})
}

func TestGeoJSON(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		h := demoServer(t, st)
		rec := get(t, h, "/api/v1/lieux.geojson?epci=243500618")
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/geo+json") {
			t.Errorf("content type %q", ct)
		}
		var fc struct {
			Type     string
			Total    int
			Features []struct {
				Type     string
				Geometry struct {
					Type        string
					Coordinates []float64
				}
				Properties map[string]interface{}
			}
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
			t.Fatal(err)
		}
		if fc.Type != "FeatureCollection" || len(fc.Features) == 0 || fc.Total != len(fc.Features) {
			t.Fatalf("geojson: %s, %d features, total %d", fc.Type, len(fc.Features), fc.Total)
		}
		for _, f := range fc.Features {
			lon, lat := f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
			if f.Geometry.Type != "Point" || lon > -1.8 || lon < -2.3 || lat < 47.9 || lat > 48.15 {
				t.Errorf("%v at %v,%v: outside Brocéliande", f.Properties["nom"], lon, lat)
			}
		}
	})
}

// schemaField is a field of the official Table Schema.
type schemaField struct {
	Name        string
	Type        string
	Constraints struct {
		Required  bool
		Unique    bool
		Pattern   string
		MaxLength int
	}
}

// schemaProblems checks a CSV against the official schema file the way
// Frictionless does: header = fields in order, required cells, types,
// anchored patterns, maximum length, unique id. It returns the rows read
// and every problem found.
func schemaProblems(t *testing.T, body string) (int, []string) {
	t.Helper()
	b, err := os.ReadFile(schematest.File(t, "schema-lieux-mediation-numerique.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct{ Fields []schemaField }
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		return 0, []string{"not CSV: " + err.Error()}
	}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(rows[0]) != len(schema.Fields) {
		fail("%d columns, schema has %d", len(rows[0]), len(schema.Fields))
		return len(rows) - 1, problems
	}
	patterns := make([]*regexp.Regexp, len(schema.Fields))
	for i, f := range schema.Fields {
		if rows[0][i] != f.Name {
			fail("column %d is %q, schema says %q", i+1, rows[0][i], f.Name)
		}
		if f.Constraints.Pattern != "" {
			patterns[i] = regexp.MustCompile("^(?:" + f.Constraints.Pattern + ")$")
		}
	}
	seen := map[string]bool{}
	for n, row := range rows[1:] {
		for i, f := range schema.Fields {
			v := row[i]
			where := fmt.Sprintf("row %d %s", n+2, f.Name)
			if v == "" {
				if f.Constraints.Required {
					fail("%s: required and empty", where)
				}
				continue
			}
			switch f.Type {
			case "number":
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					fail("%s: %q is not a number", where, v)
				}
			case "date":
				if _, err := time.Parse(time.DateOnly, v); err != nil {
					fail("%s: %q is not a date", where, v)
				}
			}
			if patterns[i] != nil && !patterns[i].MatchString(v) {
				fail("%s: %q does not match the pattern", where, v)
			}
			if m := f.Constraints.MaxLength; m > 0 && len([]rune(v)) > m {
				fail("%s: longer than %d", where, m)
			}
			if f.Constraints.Unique {
				if seen[v] {
					fail("%s: %q not unique", where, v)
				}
				seen[v] = true
			}
		}
	}
	return len(rows) - 1, problems
}

// The validator itself must catch what the schema forbids.
func TestSchemaValidatorCatchesErrors(t *testing.T) {
	head := strings.Join(place.Columns, ",")
	good := `"id1","43493312300029","Nom","Reims","51100","51454","1 rue","","49.2","4.03","","+33180059880","","","","","","","Fixe","","2024-04-02","Aide aux démarches administratives","","","","","","","","","",""`
	if n, problems := schemaProblems(t, head+"\n"+good+"\n"); n != 1 || len(problems) > 0 {
		t.Fatalf("good row: %d rows, %v", n, problems)
	}
	for _, bad := range []string{
		strings.Replace(good, `"+33180059880"`, `"01 80 05 98 80"`, 1),
		strings.Replace(good, `"Aide aux démarches administratives"`, `"Aide aux démarches administratives;Loisirs et créations numériques"`, 1),
		strings.Replace(good, `"2024-04-02"`, `"02/04/2024"`, 1),
		strings.Replace(good, `"Nom"`, `""`, 1),
		strings.Replace(good, `"49.2"`, `"49,2"`, 1),
		good + "\n" + good,
	} {
		if _, problems := schemaProblems(t, head+"\n"+bad+"\n"); len(problems) == 0 {
			t.Errorf("validator accepted %s", bad)
		}
	}
	if _, problems := schemaProblems(t, strings.Replace(head, "nom,commune", "commune,nom", 1)+"\n"+good+"\n"); len(problems) == 0 {
		t.Error("validator accepted columns out of order")
	}
}

// The standard exports of the demo validate against the official schema,
// and the JSON export carries the same records.
func TestStandardExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		h := demoServer(t, st)
		for _, q := range []string{"", "?epci=243500618"} {
			rec := get(t, h, "/api/v1/export/lieux-de-mediation-numerique.csv"+q)
			if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "_lieux-de-mediation-numerique_") {
				t.Errorf("file name %q", cd)
			}
			n, problems := schemaProblems(t, rec.Body.String())
			for _, p := range problems {
				t.Error(p)
			}
			if n < 30 {
				t.Errorf("export%s has %d rows", q, n)
			}
			var objs []map[string]any
			if err := json.Unmarshal(get(t, h, "/api/v1/export/lieux-de-mediation-numerique.json"+q).Body.Bytes(), &objs); err != nil {
				t.Fatal(err)
			}
			if len(objs) != n {
				t.Errorf("JSON export has %d records, CSV %d", len(objs), n)
			}
		}
		// Every place with a missing pivot is exported with the placeholder.
		body := get(t, h, "/api/v1/export/lieux-de-mediation-numerique.csv").Body.String()
		if !strings.Contains(body, `"`+place.PivotPlaceholder+`"`) {
			t.Error("the demo's places without SIRET are not exported with the placeholder")
		}
	})
}

// The hand-written GeoJSON encoder must produce JSON that reads back to
// the same strings, whatever they hold.
func TestAppendFeatureCollection(t *testing.T) {
	tricky := "Le « Lieu » \"cité\" \\ tab\t nl\n \x01 é œ 🙂 </script>"
	pts := []store.Point{{ID: "a", Nom: tricky, Adresse: "1 rue", CodePostal: "35000", Commune: "Rennes", CodeInsee: "35238",
		Services: place.Services.Bit("aide-demarches"), Latitude: 48.1, Longitude: -1.68, DateMaj: testNow}}
	var fc struct {
		Type     string
		Total    int
		Features []struct {
			ID         string
			Geometry   struct{ Coordinates []float64 }
			Properties map[string]any
		}
	}
	b := appendFeatureCollection(nil, 7, pts)
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	f := fc.Features[0]
	if fc.Type != "FeatureCollection" || fc.Total != 7 || f.ID != "a" || f.Properties["nom"] != tricky ||
		f.Geometry.Coordinates[0] != -1.68 || f.Properties["date_maj"] != "2026-11-26" ||
		f.Properties["services"].([]any)[0] != "Aide aux démarches administratives" {
		t.Errorf("decoded %+v", fc)
	}
	if err := json.Unmarshal(appendFeatureCollection(nil, 0, nil), &fc); err != nil || len(fc.Features) != 0 {
		t.Errorf("empty collection: %v", err)
	}
}
