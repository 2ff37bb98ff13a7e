package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"portrea/internal/demo"
	"portrea/internal/export/exporttest"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

// jsonToCSV writes standard JSON records as the standard CSV, so that the
// schema validator of the CSV checks them too.
func jsonToCSV(t *testing.T, objs []map[string]any) string {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(place.Columns)
	for _, o := range objs {
		row := make([]string, len(place.Columns))
		for i, c := range place.Columns {
			switch v := o[c].(type) {
			case nil:
			case string:
				row[i] = v
			case float64:
				row[i] = strconv.FormatFloat(v, 'f', -1, 64)
			default:
				t.Errorf("%s: %T in the standard JSON", c, v)
			}
		}
		for k := range o {
			if !strings.Contains(","+strings.Join(place.Columns, ",")+",", ","+k+",") {
				t.Errorf("field %q is not a column of the standard", k)
			}
		}
		w.Write(row)
	}
	w.Flush()
	return b.String()
}

// Every export format of the demo is valid: the standard JSON against the
// national schema, each data·inclusion object against its v1.0.8 schema,
// the GeoJSON with one feature per located place; all carry the same
// places as the CSV.
func TestExportFormats(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		h := demoServer(t, st)
		structure := exporttest.LoadSchema(t, "data-inclusion-schema-v1.0.8-structure.json")
		service := exporttest.LoadSchema(t, "data-inclusion-schema-v1.0.8-service.json")
		for _, q := range []string{"", "?epci=" + demo.BroceliandeSIREN} {
			rows, err := csv.NewReader(strings.NewReader(get(t, h, "/api/v1/export/lieux-de-mediation-numerique.csv"+q).Body.String())).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			n, located := len(rows)-1, 0
			for _, r := range rows[1:] {
				if r[8] != "" {
					located++
				}
			}

			rec := get(t, h, "/api/v1/export/lieux-de-mediation-numerique.json"+q)
			var objs []map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &objs); err != nil {
				t.Fatal(err)
			}
			got, problems := schemaProblems(t, jsonToCSV(t, objs))
			for _, p := range problems {
				t.Errorf("JSON%s: %s", q, p)
			}
			if got != n {
				t.Errorf("JSON%s: %d records, CSV %d", q, got, n)
			}

			rec = get(t, h, "/api/v1/export/lieux-de-mediation-numerique.geojson"+q)
			if ct := rec.Header().Get("Content-Type"); ct != "application/geo+json; charset=utf-8" {
				t.Errorf("GeoJSON content type %q", ct)
			}
			if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "_lieux-de-mediation-numerique_") || !strings.HasSuffix(cd, `.geojson"`) {
				t.Errorf("GeoJSON file name %q", cd)
			}
			var fc struct {
				Type     string
				Features []struct {
					ID       string
					Geometry struct {
						Type        string
						Coordinates []float64
					}
					Properties map[string]string
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
				t.Fatal(err)
			}
			if fc.Type != "FeatureCollection" || len(fc.Features) != located || located == 0 || located == n {
				t.Errorf("GeoJSON%s: %s with %d features, %d located places of %d", q, fc.Type, len(fc.Features), located, n)
			}
			for _, f := range fc.Features {
				if f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 || f.Properties["nom"] == "" || f.Properties["id"] != f.ID {
					t.Errorf("feature %+v", f)
				}
			}

			rec = get(t, h, "/api/v1/export/data-inclusion.json"+q)
			var di struct{ Structures, Services []map[string]any }
			if err := json.Unmarshal(rec.Body.Bytes(), &di); err != nil {
				t.Fatal(err)
			}
			if len(di.Structures) != n || len(di.Services) != n {
				t.Errorf("data·inclusion%s: %d structures, %d services for %d places", q, len(di.Structures), len(di.Services), n)
			}
			for _, s := range di.Structures {
				for _, p := range structure.Problems(s) {
					t.Errorf("structure %v: %s", s["id"], p)
				}
			}
			for _, s := range di.Services {
				for _, p := range service.Problems(s) {
					t.Errorf("service %v: %s", s["id"], p)
				}
			}
		}
		for _, path := range []string{"lieux-de-mediation-numerique.csv", "lieux-de-mediation-numerique.json", "lieux-de-mediation-numerique.geojson", "data-inclusion.json"} {
			rec := get(t, h, "/api/v1/export/"+path+"?epci=123456789")
			if rec.Code != 400 || !strings.Contains(rec.Body.String(), "SIREN « 123456789 » inconnu") || rec.Header().Get("Content-Disposition") != "" {
				t.Errorf("%s with an unknown EPCI: %d %s", path, rec.Code, rec.Body.String())
			}
		}
	})
}

// A name that is a spreadsheet formula is neutralised in the CSV files
// people open in a spreadsheet (public export and selection), and kept
// as is in JSON.
func TestExportNeutralisesFormulas(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		evil := *f.placeA
		evil.Nom = `=HYPERLINK("http://x","y")`
		if err := st.UpdatePlace(context.Background(), &evil, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "test"}}); err != nil {
			t.Fatal(err)
		}
		const neutralised = `"'=HYPERLINK(""http://x"",""y"")"`
		body := get(t, f.h, "/api/v1/export/lieux-de-mediation-numerique.csv?epci="+demo.BroceliandeSIREN).Body.String()
		if !strings.Contains(body, neutralised) {
			t.Errorf("public CSV: formula not neutralised")
		}
		if _, problems := schemaProblems(t, body); len(problems) > 0 {
			t.Errorf("neutralised CSV invalid: %v", problems)
		}
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		rec := refA.post(t, f.h, "/gestion/lieux/export", url.Values{"ids": {f.placeA.ID}})
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), neutralised) {
			t.Errorf("selection CSV: %d, formula not neutralised:\n%s", rec.Code, rec.Body.String())
		}
		if !strings.Contains(get(t, f.h, "/api/v1/export/lieux-de-mediation-numerique.json").Body.String(), `"nom":"=HYPERLINK(\"http://x\",\"y\")"`) {
			t.Error("JSON export changed the name")
		}
	})
}

// The exports page lists each user's territories; the full workbook, with
// private contacts, goes only to a user in charge of the territory.
func TestExportsPageAndWorkbook(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		refB := loginAs(t, f.h, account_(2).Email, account_(2).Password)
		A, B := demo.BroceliandeSIREN, demo.MontfortSIREN

		page := refA.get(t, f.h, "/gestion/exports")
		body := page.Body.String()
		if page.Code != 200 || !strings.Contains(body, "/gestion/exports/"+A+"/xlsx") || strings.Contains(body, "/gestion/exports/"+B+"/xlsx") ||
			!strings.Contains(body, "/api/v1/export/data-inclusion.json?epci="+A) || !strings.Contains(body, `aria-current="page">Exports`) {
			t.Errorf("exports page of referent A: %d\n%s", page.Code, body)
		}
		if body := hub.get(t, f.h, "/gestion/exports").Body.String(); !strings.Contains(body, "/gestion/exports/"+B+"/xlsx") ||
			!strings.Contains(body, `href="/api/v1/export/lieux-de-mediation-numerique.csv"`) {
			t.Errorf("exports page of the hub lacks a territory or the whole base")
		}
		if rec := (*boUser)(nil).get(t, f.h, "/gestion/exports/"+A+"/xlsx"); rec.Code != 303 {
			t.Errorf("anonymous workbook: %d", rec.Code)
		}
		for _, c := range []struct {
			name string
			u    *boUser
			epci string
			want int
		}{
			{"hub A", hub, A, 200}, {"hub B", hub, B, 200},
			{"referent A", refA, A, 200}, {"referent A of B", refA, B, 404},
			{"referent B of A", refB, A, 404}, {"unknown territory", hub, "123456789", 404},
		} {
			rec := c.u.get(t, f.h, "/gestion/exports/"+c.epci+"/xlsx")
			if rec.Code != c.want {
				t.Errorf("%s: %d, want %d", c.name, rec.Code, c.want)
				continue
			}
			if c.want != 200 {
				if strings.Contains(rec.Body.String(), f.placeA.ContactEmail) || strings.Contains(rec.Body.String(), f.placeB.ContactEmail) {
					t.Errorf("%s: refusal shows private data", c.name)
				}
				continue
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
				t.Errorf("%s: content type %q", c.name, ct)
			}
			if cd := rec.Header().Get("Content-Disposition"); !strings.HasSuffix(cd, `.xlsx"`) || !strings.Contains(cd, "attachment") {
				t.Errorf("%s: disposition %q", c.name, cd)
			}
			own, other := f.placeA, f.placeB
			if c.epci == B {
				own, other = f.placeB, f.placeA
			}
			text := xlsxText(t, rec.Body.Bytes())
			if !strings.Contains(text, own.ContactEmail) || !strings.Contains(text, own.Notes) {
				t.Errorf("%s: workbook lacks the private contact or notes of %s", c.name, own.Nom)
			}
			if strings.Contains(text, other.ContactEmail) {
				t.Errorf("%s: workbook holds another territory's contact", c.name)
			}
		}
		// Downloading private contacts leaves a trace.
		entries, err := st.AuditLog(context.Background(), 50)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			if e.Action == "export du recensement complet" && e.Actor == account_(1).Email && e.Target == A {
				found = true
			}
		}
		if !found {
			t.Error("no audit entry for the workbook of referent A")
		}
	})
}

// xlsxText is every XML part of a workbook, concatenated.
func xlsxText(t *testing.T, b []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not an xlsx: %v", err)
	}
	var out strings.Builder
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&out, rc)
		rc.Close()
	}
	return out.String()
}
