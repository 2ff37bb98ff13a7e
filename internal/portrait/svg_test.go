package portrait

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"testing"
)

// svgElement is a parsed element of a chart.
type svgElement struct {
	Name  string
	Attrs map[string]string
	Text  string
}

// parseSVG checks that s is well-formed XML with an accessible root and
// returns its elements in document order.
func parseSVG(t *testing.T, s template.HTML) []svgElement {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(s)))
	var out []svgElement
	var stack []int
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := svgElement{Name: tok.Name.Local, Attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.Attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
			stack = append(stack, len(out)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				out[stack[len(stack)-1]].Text += string(tok)
			}
		}
	}
	if len(out) == 0 || out[0].Name != "svg" {
		t.Fatalf("root is not svg:\n%s", s)
	}
	root := out[0]
	if root.Attrs["role"] != "img" || !strings.HasPrefix(root.Attrs["viewBox"], "0 0 ") {
		t.Errorf("root attributes %v", root.Attrs)
	}
	ids := map[string]bool{}
	for _, e := range out {
		if id := e.Attrs["id"]; id != "" {
			ids[id] = true
		}
	}
	for _, ref := range strings.Fields(root.Attrs["aria-labelledby"] + " " + root.Attrs["aria-describedby"]) {
		if !ids[ref] {
			t.Errorf("aria reference %q to no element", ref)
		}
	}
	return out
}

func svgFind(es []svgElement, name string) []svgElement {
	var out []svgElement
	for _, e := range es {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

func svgFloat(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number %q", s)
	}
	return f
}

func svgViewBox(t *testing.T, root svgElement) (w, h float64) {
	t.Helper()
	f := strings.Fields(root.Attrs["viewBox"])
	return svgFloat(t, f[2]), svgFloat(t, f[3])
}

func TestBarChartSVG(t *testing.T) {
	counts := []Count{
		{"Aide aux démarches administratives", 12},
		{"Maîtrise des outils numériques du quotidien", 6},
		{"Accès internet et matériel informatique", 0},
		{"Compréhension et usage des sites d'accès aux droits", 1234},
	}
	s := BarChartSVG("Lieux par service", counts)
	es := parseSVG(t, s)
	if got := svgFind(es, "title")[0].Text; got != "Lieux par service" {
		t.Errorf("title %q", got)
	}
	desc := svgFind(es, "desc")[0].Text
	for _, want := range []string{"Aide aux démarches administratives : 12 lieux", "Maîtrise des outils numériques du quotidien : 6 lieux",
		"Accès internet et matériel informatique : aucun lieu", "d'accès aux droits : 1\u202f234 lieux"} {
		if !strings.Contains(desc, want) {
			t.Errorf("desc lacks %q: %s", want, desc)
		}
	}
	rects := svgFind(es, "rect")
	if len(rects) != 3 { // no bar for zero
		t.Fatalf("%d bars, want 3", len(rects))
	}
	w12, w6, wMax := svgFloat(t, rects[0].Attrs["width"]), svgFloat(t, rects[1].Attrs["width"]), svgFloat(t, rects[2].Attrs["width"])
	if r := w12 / w6; r < 1.98 || r > 2.02 {
		t.Errorf("bars 12 and 6 have widths %v and %v", w12, w6)
	}
	if r := wMax / w12; r < 1234.0/12*0.97 || r > 1234.0/12*1.03 {
		t.Errorf("bars 1234 and 12 have widths %v and %v", wMax, w12)
	}
	vw, _ := svgViewBox(t, es[0])
	if x := svgFloat(t, rects[2].Attrs["x"]); x+wMax > vw {
		t.Errorf("longest bar ends at %v beyond the viewBox %v", x+wMax, vw)
	}
	var texts []string
	for _, e := range svgFind(es, "text") {
		texts = append(texts, e.Text)
	}
	if all := strings.Join(texts, "|"); !strings.Contains(all, "|1\u202f234") || !strings.Contains(all, "|12|") {
		t.Errorf("values not written at the bars: %s", all)
	}
	if BarChartSVG("Vide", nil) != "" {
		t.Error("a chart without counts is not empty")
	}
}

func TestSVGEscapesText(t *testing.T) {
	evil := `<script>alert("x")</script> & 'co'` + "\x00\x01"
	charts := map[string]template.HTML{
		"bars":  BarChartSVG(evil, []Count{{evil, 3}}),
		"hours": HoursChartSVG(HoursFigures{Weekday: evil}),
		"map": MapSVG(MapData{
			Communes: []CommuneShape{{Code: "35223", Name: evil, Centre: [2]float64{-2.08, 48.0}}},
			Places:   []MapPlace{{Name: evil, Lon: -2.08, Lat: 48.0}},
		}),
		"trend": TrendSVG([]Snapshot{{Month: evil, Places: 1}, {Month: "2026-12", Places: 2}}),
	}
	for name, s := range charts {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(string(s), "<script") {
				t.Fatalf("unescaped markup:\n%s", s)
			}
			es := parseSVG(t, s)
			found := false
			for _, e := range es {
				if strings.Contains(e.Text, `<script>alert("x")</script> & 'co'`) {
					found = true
				}
			}
			if !found {
				t.Errorf("the text does not read back as written:\n%s", s)
			}
		})
	}
}

func TestHoursChartSVG(t *testing.T) {
	var h HoursFigures
	h.Weekday = "mardi"
	for hr := 9; hr < 12; hr++ {
		h.ByHour[hr] = 4
	}
	for hr := 14; hr < 18; hr++ {
		h.ByHour[hr] = 2
	}
	h.ByHour[18] = 1
	es := parseSVG(t, HoursChartSVG(h))
	if got := svgFind(es, "title")[0].Text; !strings.Contains(got, "mardi") {
		t.Errorf("title %q", got)
	}
	desc := svgFind(es, "desc")[0].Text
	for _, want := range []string{"le mardi", "de 0 h à 9 h : aucun lieu", "de 9 h à 12 h : 4 lieux", "de 14 h à 18 h : 2 lieux", "de 18 h à 19 h : 1 lieu", "de 19 h à 24 h : aucun lieu"} {
		if !strings.Contains(desc, want) {
			t.Errorf("desc lacks %q: %s", want, desc)
		}
	}
	if n := len(svgFind(es, "rect")); n != 3+4+1 {
		t.Errorf("%d bars, want 8", n)
	}
	var labels []string
	for _, e := range svgFind(es, "text") {
		if strings.HasSuffix(e.Text, " h") {
			labels = append(labels, e.Text)
		}
	}
	if len(labels) != 24 || labels[0] != "0 h" || labels[23] != "23 h" {
		t.Errorf("hour axis %v", labels)
	}
	// Bars at 4 are twice as tall as bars at 2.
	rects := svgFind(es, "rect")
	if r := svgFloat(t, rects[0].Attrs["height"]) / svgFloat(t, rects[3].Attrs["height"]); r < 1.98 || r > 2.02 {
		t.Errorf("bar heights ratio %v, want 2", r)
	}
	// Nothing open: still a chart, with an axis.
	parseSVG(t, HoursChartSVG(HoursFigures{}))
}

func TestTrendSVG(t *testing.T) {
	if TrendSVG(nil) != "" || TrendSVG([]Snapshot{{Month: "2026-11", Places: 3}}) != "" {
		t.Error("a trend of fewer than two snapshots is not empty")
	}
	ss := []Snapshot{
		{Month: "2026-11", Places: 10, PerTenThousand: 5.2},
		{Month: "2026-12", Places: 12, PerTenThousand: 6.25},
		{Month: "2027-01", Places: 1500, PerTenThousand: 7},
	}
	es := parseSVG(t, TrendSVG(ss))
	desc := svgFind(es, "desc")[0].Text
	for _, want := range []string{"novembre 2026 : 10 lieux (5,2 pour 10 000 habitants)", "janvier 2027 : 1\u202f500 lieux (7,0 pour"} {
		if !strings.Contains(desc, want) {
			t.Errorf("desc lacks %q: %s", want, desc)
		}
	}
	if n := len(svgFind(es, "polyline")); n != 2 {
		t.Errorf("%d lines, want 2", n)
	}
	// Many months: still well-formed, labels thinned.
	var many []Snapshot
	for i := range 30 {
		many = append(many, Snapshot{Month: fmt.Sprintf("%d-%02d", 2026+i/12, i%12+1), Places: i, PerTenThousand: float64(i) / 3})
	}
	parseSVG(t, TrendSVG(many))
}

func TestSVGNumbers(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{svgInt(0), "0"}, {svgInt(999), "999"}, {svgInt(1000), "1\u202f000"}, {svgInt(-1234567), "-1\u202f234\u202f567"},
		{svgDec(3.26, 1), "3,3"}, {svgDec(1234.5, 1), "1\u202f234,5"}, {svgDec(-0.01, 1), "0,0"}, {svgDec(7, 0), "7"},
		{svgPlaces(0), "aucun lieu"}, {svgPlaces(1), "1 lieu"}, {svgPlaces(2), "2 lieux"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// broceliande is a small map: three communes around Plélan-le-Grand.
func broceliande(outlines bool) MapData {
	square := func(lon, lat float64) [][][2]float64 {
		return [][][2]float64{{{lon - 0.03, lat - 0.02}, {lon + 0.03, lat - 0.02}, {lon + 0.03, lat + 0.02}, {lon - 0.03, lat + 0.02}, {lon - 0.03, lat - 0.02}}}
	}
	m := MapData{
		Communes: []CommuneShape{
			{Code: "35223", Name: "Plélan-le-Grand", Centre: [2]float64{-2.0842, 47.9973}, Covered: true},
			{Code: "35211", Name: "Paimpont", Centre: [2]float64{-2.1662, 48.0242}, Covered: true},
			{Code: "35305", Name: "Saint-Péran", Centre: [2]float64{-2.0661, 48.0569}},
		},
		Places: []MapPlace{
			{Name: "Médiathèque", Lon: -2.0839, Lat: 47.9987},
			{Name: "France Services de Plélan", Lon: -2.0794, Lat: 48.0008, FranceServices: true},
			{Name: "Bus numérique", Lon: -2.1713, Lat: 48.0183, Itinerant: true},
			{Name: "Sans position"},
		},
		HasOutlines: outlines,
	}
	if outlines {
		for i := range m.Communes {
			c := &m.Communes[i]
			c.Rings = square(c.Centre[0], c.Centre[1])
		}
	}
	return m
}

func TestMapSVG(t *testing.T) {
	m := broceliande(true)
	s := MapSVG(m)
	es := parseSVG(t, s)
	vw, vh := svgViewBox(t, es[0])

	p, ok := newSVGProjection(m)
	if !ok {
		t.Fatal("no projection")
	}
	// A known point, Plélan's médiathèque, lands inside the map area,
	// and the shape drawn for it is there.
	x, y := p.xy(-2.0839, 47.9987)
	if x < svgMapMargin || x > vw-svgMapMargin || y < svgMapMargin || y > p.height-svgMapMargin || p.height > vh {
		t.Errorf("médiathèque at (%v, %v), map %v×%v, viewBox %v×%v", x, y, vw, p.height, vw, vh)
	}
	var dot bool
	for _, c := range svgFind(es, "circle") {
		if c.Attrs["cx"] == svgNum(x) && c.Attrs["cy"] == svgNum(y) {
			dot = true
		}
	}
	if !dot {
		t.Errorf("no dot at (%s, %s)", svgNum(x), svgNum(y))
	}
	// North is up, east is right, and distances keep their proportions:
	// the map is scaled by cos(latitude) in longitude.
	x1, y1 := p.xy(-2.1, 48.0)
	x2, y2 := p.xy(-2.0, 48.1)
	if !(x2 > x1 && y2 < y1) {
		t.Errorf("orientation: (%v,%v) → (%v,%v)", x1, y1, x2, y2)
	}
	if r := (x2 - x1) / (y1 - y2); r < 0.66 || r > 0.68 { // cos(48°) ≈ 0.669
		t.Errorf("aspect %v, want cos(48°)", r)
	}
	// The bounding box of the outlines touches the margins.
	minX, maxX := vw, 0.0
	for _, c := range m.Communes {
		for _, pt := range c.Rings[0] {
			x, _ := p.xy(pt[0], pt[1])
			minX, maxX = min(minX, x), max(maxX, x)
		}
	}
	if minX < svgMapMargin-0.01 || maxX > vw-svgMapMargin+0.01 || maxX-minX < vw-2*svgMapMargin-1 {
		t.Errorf("outlines span %v–%v of %v", minX, maxX, vw)
	}

	paths := 0
	hatched := 0
	for _, e := range svgFind(es, "path") {
		if e.Attrs["fill-rule"] == "evenodd" {
			paths++
			if strings.HasPrefix(e.Attrs["fill"], "url(#") {
				hatched++
			}
		}
	}
	if paths != 3 || hatched != 1 {
		t.Errorf("%d outlines, %d hatched; want 3 and 1", paths, hatched)
	}
	desc := svgFind(es, "desc")[0].Text
	for _, want := range []string{"3 communes", "2 avec au moins un lieu (Plélan-le-Grand, Paimpont)", "1 sans lieu (Saint-Péran)",
		"3 lieux sur la carte", "1 lieu fixe (ronds)", "1 France Services (carrés)", "1 lieu itinérant (triangles)"} {
		if !strings.Contains(desc, want) {
			t.Errorf("desc lacks %q: %s", want, desc)
		}
	}
	var texts []string
	for _, e := range svgFind(es, "text") {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"Saint-Péran", "Commune sans lieu", "France Services", "Lieu itinérant", " km"} {
		if !strings.Contains(all, want) {
			t.Errorf("text lacks %q: %s", want, all)
		}
	}
	// Every place has its name as a tooltip.
	titles := svgFind(es, "title")
	if len(titles) != 1+3 {
		t.Errorf("%d titles, want the chart's and 3 places'", len(titles))
	}
}

func TestMapSVGWithoutOutlines(t *testing.T) {
	m := broceliande(false)
	es := parseSVG(t, MapSVG(m))
	for _, e := range svgFind(es, "path") {
		if e.Attrs["fill-rule"] == "evenodd" {
			t.Errorf("an outline is drawn: %v", e.Attrs)
		}
	}
	// Commune centres (3), the fixed place (1) and the legend (2) are circles.
	if n := len(svgFind(es, "circle")); n != 3+1+2 {
		t.Errorf("%d circles, want 6", n)
	}
	if desc := svgFind(es, "desc")[0].Text; !strings.Contains(desc, "Contours des communes non disponibles") {
		t.Errorf("desc %s", desc)
	}
	vw, vh := svgViewBox(t, es[0])
	if vw != svgMapWidth || vh < svgMapMinH {
		t.Errorf("viewBox %v×%v", vw, vh)
	}
	// Only places: still a map.
	parseSVG(t, MapSVG(MapData{Places: []MapPlace{{Name: "Seul", Lon: -2, Lat: 48}}}))
	if MapSVG(MapData{}) != "" {
		t.Error("an empty map is not empty")
	}
}
