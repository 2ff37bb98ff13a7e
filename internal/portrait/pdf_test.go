package portrait

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// pdfHostile is a place name that tries to break the PDF syntax, the
// fonts and the HTML habits.
const pdfHostile = "Lieu <script>alert(\"x\")</script> ) Tj ET (\\ /Type /Page 🎉\u202f€\x00 fin"

// pdfTestPortrait is a hand-built portrait with every section filled.
func pdfTestPortrait() *Portrait {
	gen := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	square := func(lon, lat, s float64) [][][2]float64 {
		return [][][2]float64{{{lon, lat}, {lon + s, lat}, {lon + s, lat + s}, {lon, lat + s}, {lon, lat}}}
	}
	p := &Portrait{
		Generated: gen,
		Foreword:  "Ce portrait accompagne la feuille de route « Brocéliande numérique » de notre communauté.\r\nIl sera présenté au conseil communautaire.",
		Identity: Identity{
			SIREN: "243500667", Name: "CC Brocéliande Communauté", Type: "CC", TypeLabel: "Communauté de communes",
			Departements:      []NamedCode{{Code: "35", Name: "Ille-et-Vilaine"}},
			Region:            NamedCode{Code: "53", Name: "Bretagne"},
			Communes:          4,
			Population:        21345,
			PopulationVintage: "populations légales 2023 (INSEE)",
			Referents:         []Referent{{Name: "Hélène Lœuvre", Email: "helene@example.fr", Kind: "collectivité"}},
			Strategy:          "Coordination portée par l'intercommunalité",
			Phase:             "Diagnostic partagé",
			PhaseSince:        time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		},
		Key: KeyFigures{
			Places: 1234, PerTenThousand: 5.78, CoveredCommunes: 3, Communes: 4, CoveredPopulation: 87.4,
			FranceServices: 2, ConseillersNum: 5, AidantsConnect: 3, Itinerant: 1, Fixed: 1233, ConfirmedLastYear: 63,
		},
		Offer: Offer{
			Services: []Count{
				{"Aide aux démarches administratives", 812}, {"Maîtrise des outils numériques du quotidien", 640},
				{"Insertion professionnelle via le numérique", 120}, {"Utilisation sécurisée du numérique", 300},
				{"Parentalité et éducation avec le numérique", 45}, {"Loisirs et créations numériques", 200},
				{"Compréhension et maîtrise de l'environnement numérique", 90}, {"Accès internet et matériel informatique", 700},
				{"Acquisition de matériel informatique à prix solidaire", 0},
			},
			Publics:       []Count{{"Jeunes (16-26 ans)", 30}, {"Seniors (+ 65 ans)", 55}, {"Familles et/ou enfants", 12}},
			PriseEnCharge: []Count{{"Surdité", 3}, {"Handicaps mentaux", 2}, {"Illettrisme", 9}},
			Frais:         []Count{{"Gratuit", 1100}, {"Gratuit sous condition", 60}, {"Payant", 74}},
			Access:        []Count{{"Se présenter", 900}, {"Téléphoner", 400}, {"Envoyer un courriel", 150}},
			Accompaniment: []Count{{"Seul, avec de l'aide", 500}, {"Dans un atelier collectif", 300}, {"À distance", 80}},
			Typologies:    []Count{{"Médiathèque", 400}, {"Mairie", 300}, {"Centre social", 200}, {"Association", 334}},
		},
		Hours: HoursFigures{
			WeeklyHours: 12345.5, MedianWeekly: 17.25, Evenings: 8, Saturdays: 12, Weekday: "mardi",
			WithoutHours: []string{"Espace jeunes de Montfort", pdfHostile},
			ClosedHours:  []string{"lundi 8 h–9 h", "samedi 18 h–20 h"},
		},
		Gaps: Gaps{
			CommunesWithout: []CommuneGap{
				{Code: "35999", Name: "Saint-Péran", Population: 412, NearestKm: 3.25, NearestFranceServicesKm: 11.5,
					NearestName: pdfHostile, NearestFSName: "France Services de Plélan-le-Grand"},
				{Code: "35998", Name: "Bréal-sous-Montfort", Population: 6400, NearestKm: -1, NearestFranceServicesKm: -1},
			},
			ServicesNowhere: []string{"Acquisition de matériel informatique à prix solidaire"},
		},
		Map: MapData{
			HasOutlines: true,
			OutlinesAt:  gen,
			Communes: []CommuneShape{
				{Code: "35001", Name: "Paimpont", Rings: square(-2.2, 48.0, 0.1), Centre: [2]float64{-2.15, 48.05}, Covered: true},
				{Code: "35002", Name: "Plélan-le-Grand", Rings: square(-2.1, 48.0, 0.1), Centre: [2]float64{-2.05, 48.05}, Covered: true},
				{Code: "35999", Name: "Saint-Péran", Rings: square(-2.2, 48.1, 0.1), Centre: [2]float64{-2.15, 48.15}},
				{Code: "35998", Name: "Bréal", Rings: square(-2.1, 48.1, 0.1), Centre: [2]float64{-2.05, 48.15}, Covered: true},
			},
			Places: []MapPlace{
				{Name: "Médiathèque", Lon: -2.16, Lat: 48.04},
				{Name: "France Services", Lon: -2.05, Lat: 48.06, FranceServices: true},
				{Name: "Bus numérique", Lon: -2.04, Lat: 48.14, Itinerant: true},
				{Name: pdfHostile, Lon: math.NaN(), Lat: 48.1},
			},
		},
		Compare: []Comparison{
			{"CC Brocéliande Communauté", 1234, 5.78, 75, 87.4, 63},
			{"Ille-et-Vilaine", 420, 3.9, 55.5, 80, 70},
			{"Bretagne", 1800, 5.4, 60, 82, 66},
			{"EPCI médian de Bretagne", 25, 4.2, 50, 78, 60},
		},
		Trend: []Snapshot{
			{Month: "2026-09", Places: 1100, CoveredCommunes: 2},
			{Month: "2026-10", Places: 1180, CoveredCommunes: 3},
			{Month: "2026-11", Places: 1234, CoveredCommunes: 3},
		},
		Sources: []Source{
			{"Lieux d'inclusion numérique", "PORTREA (recensement du territoire)", "27 novembre 2026"},
			{"Population", "INSEE, populations légales 2023", "1er janvier 2026"},
		},
	}
	for hr := 8; hr < 19; hr++ {
		p.Hours.ByHour[hr] = 3 + hr%5
	}
	return p
}

// pdfSyntheticPortrait is a large territory: communes with outlines of
// 40 points each, and places spread over them.
func pdfSyntheticPortrait(communes, places, gaps int) *Portrait {
	p := pdfTestPortrait()
	p.Map.Communes = nil
	p.Map.Places = nil
	p.Gaps.CommunesWithout = nil
	cols := int(math.Ceil(math.Sqrt(float64(communes))))
	for i := 0; i < communes; i++ {
		cx := -2.5 + 0.06*float64(i%cols)
		cy := 47.8 + 0.05*float64(i/cols)
		ring := make([][2]float64, 0, 41)
		for k := 0; k < 40; k++ {
			a := 2 * math.Pi * float64(k) / 40
			r := 0.027 + 0.004*math.Sin(5*a+float64(i))
			ring = append(ring, [2]float64{cx + r*math.Cos(a)*1.3, cy + r*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		p.Map.Communes = append(p.Map.Communes, CommuneShape{
			Code: fmt.Sprintf("35%03d", i), Name: fmt.Sprintf("Commune %d", i),
			Rings: [][][2]float64{ring}, Centre: [2]float64{cx, cy}, Covered: i%4 != 0,
		})
	}
	for i := 0; i < places; i++ {
		c := p.Map.Communes[(i*7)%communes]
		a := float64(i) * 2.4
		p.Map.Places = append(p.Map.Places, MapPlace{
			Name: fmt.Sprintf("Lieu %d", i),
			Lon:  c.Centre[0] + 0.015*math.Cos(a), Lat: c.Centre[1] + 0.012*math.Sin(a),
			FranceServices: i%50 == 0, Itinerant: i%23 == 0,
		})
	}
	for i := 0; i < gaps; i++ {
		p.Gaps.CommunesWithout = append(p.Gaps.CommunesWithout, CommuneGap{
			Code: fmt.Sprintf("35%03d", i), Name: fmt.Sprintf("Gapville %d", i), Population: 5000 - i,
			NearestKm: float64(i) / 3, NearestFranceServicesKm: float64(i), NearestName: fmt.Sprintf("Lieu %d", i),
			NearestFSName: "France Services de Montfort-sur-Meu",
		})
	}
	p.Key.Places = places
	p.Identity.Communes = communes
	p.Key.Communes = communes
	for m := 1; m <= 12; m++ {
		p.Trend = append(p.Trend, Snapshot{Month: fmt.Sprintf("2027-%02d", m), Places: places + m, CoveredCommunes: communes*3/4 + m%3})
	}
	return p
}

var pdfPageObj = regexp.MustCompile(`/Type /Page[^s]`)

func renderPDF(t testing.TB, p *Portrait) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePDF(&buf, p); err != nil {
		t.Fatalf("WritePDF: %v", err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", buf.Bytes()[:min(20, buf.Len())])
	}
	return buf.Bytes()
}

// pdfPages extracts the text of each page with pdftotext (poppler-utils).
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is not on PATH: the PDF text checks need it; install poppler-utils (apt-get install poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "portrait.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-raw", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	if bytes.Contains(out, []byte("Syntax Error")) || bytes.Contains(out, []byte("Syntax Warning")) {
		t.Fatalf("pdftotext complains:\n%s", out)
	}
	pages := strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
	for i, pg := range pages { // wrapped lines and spacing do not matter
		pages[i] = strings.Join(strings.Fields(pg), " ")
	}
	return pages
}

func TestWritePDF(t *testing.T) {
	p := pdfTestPortrait()
	pdf := renderPDF(t, p)
	n := len(pdfPageObj.FindAll(pdf, -1))
	if n < 2 {
		t.Fatalf("%d pages, want at least 2", n)
	}
	pages := pdfPages(t, pdf)
	if len(pages) != n {
		t.Errorf("pdftotext sees %d pages, the file has %d page objects", len(pages), n)
	}
	text := strings.Join(pages, "\n")
	for _, want := range []string{
		"Portrait de territoire — CC Brocéliande Communauté",
		"Avant-propos",
		"feuille de route « Brocéliande numérique » de notre communauté. Il sera présenté",
		"Ille-et-Vilaine (35)", "Bretagne", "SIREN 243500667",
		"21 345 habitants (populations légales 2023 (INSEE))",
		"Hélène Lœuvre (collectivité) — helene@example.fr",
		"Diagnostic partagé depuis le 1er mars 2026",
		"état au 27 novembre 2026", "Généré le 27 novembre 2026",
		// key figures
		"1 234 lieux d'inclusion numérique", "1 233 / 1 lieux fixes / itinérants", "5,8 lieux pour 10 000 habitants", "3 / 4 communes avec au moins un lieu",
		"87 % de la population", "63 % des lieux vérifiés",
		// offer
		"Services proposés", "Aide aux démarches administratives", "812", "66 %", "Acquisition de matériel informatique à prix solidaire",
		"Publics spécifiquement adressés", "Seniors (+ 65 ans)", "Prise en charge spécifique", "Frais à charge", "Gratuit sous condition",
		"Modalités d'accès", "Modalités d'accompagnement", "Types de structure", "Médiathèque",
		// hours
		"12 346 h", "17,2 h", "Lieux ouverts le mardi", "lieux ouverts après 18 h", "Lieux sans horaires renseignés (2)", "Espace jeunes de Montfort",
		// gaps
		"Communes sans lieu (2)", "Saint-Péran", "412", "3,2 km", "11,5 km (France Services de Plélan-le-Grand)",
		"aucune dans le territoire", "6 400", "Services proposés nulle part", "lundi 8 h–9 h",
		// map, comparison, trend, sources
		"Carte", "Commune sans lieu", "France Services (1)", "Lieu itinérant (1)", "Contours des communes : geo.api.gouv.fr",
		"Comparaison", "EPCI médian de Bretagne", "420 3,9 56 %", "Lieux pour 10 000 hab.", "Évolution", "Lieux actifs", "Communes avec au moins un lieu", "sept. 2026", "nov. 2026",
		"Sources et méthode", "INSEE, populations légales 2023", "1er janvier 2026",
		"Ce portrait est une base de discussion avec les acteurs du territoire :",
		"habitants",
		// the hostile name comes through as text
		`alert("x")`, "/Type /Page", "€ fin",
		fmt.Sprintf("page 1 / %d", n), fmt.Sprintf("page %d / %d", n, n),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if strings.Contains(text, "\u202f") || strings.Contains(text, "🎉") {
		t.Error("characters missing from the font reached the PDF")
	}
	if strings.Contains(text, "{nb}") {
		t.Error("page-count alias not replaced")
	}
}

func TestWritePDFWithoutOutlines(t *testing.T) {
	p := pdfTestPortrait()
	p.Map.HasOutlines = false
	p.Map.OutlinesAt = time.Time{}
	p.Trend = p.Trend[:1]
	p.Foreword = ""
	p.Gaps = Gaps{}
	p.Hours.ClosedHours = nil
	text := strings.Join(pdfPages(t, renderPDF(t, p)), "\n")
	for _, want := range []string{
		"Centre de commune sans lieu", "Contours des communes non disponibles",
		"l'évolution s'affichera dès le deuxième relevé", "Chaque commune compte au moins un lieu",
		"Les 9 services sont proposés par au moins un lieu", "Au moins un lieu est ouvert à chacune de ces heures",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if strings.Contains(text, "Avant-propos") {
		t.Error("empty foreword shown")
	}
}

func TestWritePDFEmpty(t *testing.T) {
	renderPDF(t, &Portrait{})
	if err := WritePDF(&bytes.Buffer{}, nil); err == nil {
		t.Error("nil portrait: no error")
	}
}

// A long table continues on the next pages with its header repeated.
func TestWritePDFLongTable(t *testing.T) {
	pages := pdfPages(t, renderPDF(t, pdfSyntheticPortrait(60, 100, 150)))
	seen, tablePages := 0, 0
	for i, pg := range pages {
		if !strings.Contains(pg, "Gapville") {
			continue
		}
		tablePages++
		seen += strings.Count(pg, "Gapville ")
		if !strings.Contains(pg, "Lieu le plus proche") || !strings.Contains(pg, "France Services la plus proche") {
			t.Errorf("page %d continues the table without its header", i+1)
		}
	}
	if tablePages < 2 {
		t.Errorf("table on %d pages, want it to span several", tablePages)
	}
	if seen != 150 {
		t.Errorf("%d table rows found, want 150", seen)
	}
}

// Handlers render in parallel: the shared fonts must not be written to.
func TestWritePDFConcurrent(t *testing.T) {
	p := pdfTestPortrait()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := WritePDF(io.Discard, p); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

func TestPDFFormats(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{pdfThousands(0), "0"},
		{pdfThousands(999), "999"},
		{pdfThousands(1000), "1 000"},
		{pdfThousands(-1234567), "-1 234 567"},
		{pdfDecimal(1234.56, 1), "1 234,6"},
		{pdfDecimal(-0.04, 1), "-0,0"},
		{pdfDecimal(0.5, 0), "0"},
		{pdfDecimal(math.NaN(), 1), "—"},
		{pdfPercent(87.4), "87 %"},
		{pdfDate(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)), "27 novembre 2026"},
		{pdfDate(time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC)), "1er mars 2026"}, // Paris time
		{pdfMonth("2026-08"), "août 2026"},
		{pdfMonth("bad"), "bad"},
		{pdfText("1\u202f234 🎉\r\nœ€«»", true), "1 234  \nœ€«»"},
		{pdfText("a\nb\x00", false), "a b "},
		{strconv.FormatFloat(pdfNiceFloor(37), 'f', -1, 64), "20"},
		{strings.Join(pdfWords("Lieux pour 10 000 hab. : 87 % « oui »  fin"), "|"), "Lieux|pour|10 000|hab. :|87 %|« oui »|fin"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func BenchmarkWritePDF(b *testing.B) {
	p := pdfSyntheticPortrait(60, 500, 20)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WritePDF(&buf, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1024, "KB/pdf")
}
