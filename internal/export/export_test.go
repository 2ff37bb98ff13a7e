package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"portrea/internal/export"
	"portrea/internal/place"
)

func TestSafeCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Médiathèque de Paimpont", "Médiathèque de Paimpont"},
		{"+33299123456", "+33299123456"},
		{"-1.87", "-1.87"},
		{"48.0183", "48.0183"},
		{"-2", "-2"},
		{"2024-04-02", "2024-04-02"},
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"=1+2", "'=1+2"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"-2+3", "'-2+3"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-", "'-"},
		{"+", "'+"},
		{"-1.", "'-1."},
		{"-.5", "'-.5"},
		{"-1.2.3", "'-1.2.3"},
		{"+33 2 99 12 34 56", "'+33 2 99 12 34 56"},
		{"\tcmd", "'\tcmd"},
		{"\r=1", "'\r=1"},
		{"Mo-Fr 09:00-12:00", "Mo-Fr 09:00-12:00"},
		{"a=b", "a=b"},
		{"'déjà", "'déjà"},
	} {
		if got := export.SafeCell(tc.in); got != tc.want {
			t.Errorf("SafeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVWriter(t *testing.T) {
	var b bytes.Buffer
	w := export.NewCSVWriter(&b)
	w.Write([]string{"a", `b "c"`, "", "=1+2", "-1.5", "l1\nl2"})
	w.Write([]string{"x"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "\"a\",\"b \"\"c\"\"\",\"\",\"'=1+2\",\"-1.5\",\"l1\nl2\"\r\n\"x\"\r\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestCSVWriterKeepsFirstError(t *testing.T) {
	w := export.NewCSVWriter(failWriter{})
	for i := 0; i < 10_000; i++ {
		if err := w.Write([]string{strings.Repeat("x", 100)}); err != nil {
			break
		}
	}
	if err := w.Flush(); err == nil || err.Error() != "disk full" {
		t.Errorf("Flush = %v", err)
	}
}

// samplePlace is a complete, valid place.
func samplePlace(id, nom string) *place.Place {
	return &place.Place{
		ID: id, Pivot: "43493312300029", Nom: nom, Adresse: "1 place de la Mairie", CodePostal: "35380",
		Commune: "Paimpont", CodeInsee: "35211", Latitude: 48.0183, Longitude: -2.1713, HasCoords: true,
		Typologies: []string{"MUNI"}, Telephone: "+33299123456", Courriels: []string{"mairie@paimpont.example.org"},
		SitesWeb: []string{"https://www.paimpont.example.org"}, Horaires: "Mo-Fr 09:00-12:00",
		Resume: "Accès libre et ateliers.", DateMaj: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Services: place.Services.Bit("aide-demarches") | place.Services.Bit("acces-materiel"),
		Frais:    place.Frais.Bit("gratuit"), ModalitesAcces: place.ModalitesAcces.Bit("se-presenter"),
		Dispositifs: place.Dispositifs.Bit("france-services"), Itinerance: place.Itinerance.Bit("fixe"),
		EPCI: "243500618", Departement: "35", Region: "53", Status: place.StatusActive,
		ContactNom: "Anne Privée", ContactEmail: "anne.privee@example.org", Notes: "note privée",
	}
}

func each(ps ...*place.Place) export.Places {
	return func(yield func(*place.Place) error) error {
		for _, p := range ps {
			if err := yield(p); err != nil {
				return err
			}
		}
		return nil
	}
}

// A name that is a spreadsheet formula comes out as text; phones and
// coordinates keep their sign.
func TestStandardCSVNeutralisesFormulas(t *testing.T) {
	evil := samplePlace("b", `=HYPERLINK("http://x","y")`)
	evil.Longitude = -1.87
	var b bytes.Buffer
	n, err := export.StandardCSV(&b, each(samplePlace("a", "Mairie"), evil))
	if err != nil || n != 2 {
		t.Fatalf("StandardCSV = %d, %v", n, err)
	}
	if !strings.Contains(b.String(), `"'=HYPERLINK(""http://x"",""y"")"`) {
		t.Errorf("formula not neutralised:\n%s", b.String())
	}
	if !strings.HasSuffix(b.String(), "\r\n") || strings.Count(b.String(), "\r\n") != 3 {
		t.Errorf("lines not ended by CRLF: %q", b.String())
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(place.Columns, ",") {
		t.Errorf("header %v", rows[0])
	}
	row := map[string]string{}
	for i, c := range place.Columns {
		row[c] = rows[2][i]
	}
	if row["nom"] != `'=HYPERLINK("http://x","y")` || row["telephone"] != "+33299123456" || row["longitude"] != "-1.87" {
		t.Errorf("row %v", row)
	}
	if strings.Contains(b.String(), "Anne Privée") || strings.Contains(b.String(), "note privée") {
		t.Error("private fields in the standard CSV")
	}
}

func TestStandardJSON(t *testing.T) {
	var b bytes.Buffer
	if n, err := export.StandardJSON(&b, each()); err != nil || n != 0 || b.String() != "[\n]\n" {
		t.Errorf("empty: %d %v %q", n, err, b.String())
	}
	b.Reset()
	n, err := export.StandardJSON(&b, each(samplePlace("a", "A & <b>"), samplePlace("b", "B")))
	if err != nil || n != 2 {
		t.Fatal(n, err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(b.Bytes(), &objs); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(objs) != 2 || objs[0]["nom"] != "A & <b>" || objs[0]["latitude"] != 48.0183 || !strings.Contains(b.String(), "A & <b>") {
		t.Errorf("objects %v", objs)
	}
}

func TestGeoJSON(t *testing.T) {
	nowhere := samplePlace("c", "Sans position")
	nowhere.HasCoords = false
	tricky := samplePlace("b", "Le « Lieu » \"cité\" \\ tab\t nl\n \x01 é 🙂 \xff")
	var b bytes.Buffer
	n, err := export.GeoJSON(&b, each(samplePlace("a", "A"), nowhere, tricky))
	if err != nil || n != 2 {
		t.Fatalf("GeoJSON = %d, %v", n, err)
	}
	var fc struct {
		Type     string
		Features []struct {
			Type     string
			ID       string
			Geometry struct {
				Type        string
				Coordinates []float64
			}
			Properties map[string]string
		}
	}
	if err := json.Unmarshal(b.Bytes(), &fc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 2 {
		t.Fatalf("%s with %d features", fc.Type, len(fc.Features))
	}
	f := fc.Features[1]
	if f.Type != "Feature" || f.ID != "b" || f.Geometry.Type != "Point" || f.Geometry.Coordinates[0] != -2.1713 || f.Geometry.Coordinates[1] != 48.0183 {
		t.Errorf("feature %+v", f)
	}
	if f.Properties["nom"] != strings.ToValidUTF8(tricky.Nom, "\uFFFD") || f.Properties["services"] != "Aide aux démarches administratives|Accès internet et matériel informatique" {
		t.Errorf("properties %v", f.Properties)
	}
	if len(f.Properties) != len(place.Columns)-2 {
		t.Errorf("%d properties, want every standard column but the coordinates", len(f.Properties))
	}
}

func TestWritersStopOnError(t *testing.T) {
	boom := errors.New("boom")
	failing := func(yield func(*place.Place) error) error {
		if err := yield(samplePlace("a", "A")); err != nil {
			return err
		}
		return boom
	}
	for name, w := range map[string]func(io.Writer, export.Places) (int, error){
		"csv": export.StandardCSV, "json": export.StandardJSON, "geojson": export.GeoJSON,
		"data-inclusion": func(w io.Writer, p export.Places) (int, error) { return export.DataInclusion(w, p, "http://x") },
	} {
		if _, err := w(io.Discard, failing); !errors.Is(err, boom) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFileName(t *testing.T) {
	day := time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC) // already the 27th in Paris
	if got := export.FileName("portrea", "CC Brocéliande Communauté", "csv", day); got != "2026-11-27_portrea_lieux-de-mediation-numerique_CcBroceliandeCommunaute.csv" {
		t.Errorf("FileName = %q", got)
	}
	if got := export.FileName("portrea", "France", "geojson", day); got != "2026-11-27_portrea_lieux-de-mediation-numerique_France.geojson" {
		t.Errorf("FileName = %q", got)
	}
}

// The writers stream: exporting 100,000 places keeps the live heap flat
// instead of growing with the rows.
func TestStandardCSVStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 rows")
	}
	const n = 100_000
	var base, peak uint64
	var ms runtime.MemStats
	places := func(yield func(*place.Place) error) error {
		for i := 0; i < n; i++ {
			p := samplePlace(place.NewID(), "Lieu numéro "+strings.Repeat("x", i%50))
			if err := yield(p); err != nil {
				return err
			}
			if i%20_000 == 0 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				if i == 0 {
					base = ms.HeapAlloc
				}
				peak = max(peak, ms.HeapAlloc)
			}
		}
		return nil
	}
	var size int64
	cw := countWriter{&size}
	if got, err := export.StandardCSV(cw, places); err != nil || got != n {
		t.Fatal(got, err)
	}
	t.Logf("%d rows, %d MB written, live heap grew by %d kB", n, size>>20, (peak-base)>>10)
	if grow := peak - base; grow > 4<<20 {
		t.Errorf("live heap grew by %d MB while writing %d MB: rows are held", grow>>20, size>>20)
	}
}

type countWriter struct{ n *int64 }

func (c countWriter) Write(b []byte) (int, error) { *c.n += int64(len(b)); return len(b), nil }
