// Package geocodetest is a local fake of the national address geocoder
// that speaks its real format, for tests: no external service is reachable
// from the machines that run them.
package geocodetest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode"
)

// Address is an address the fake knows.
type Address struct {
	Label, Type, Postcode, CityCode, City string
	Lat, Lon                              float64
}

// Fake is a running fake geocoder.
type Fake struct {
	URL   string
	Calls atomic.Int64 // every request
	// BatchCalls counts the requests to the CSV endpoint, whatever their answer.
	BatchCalls atomic.Int64
	// Down makes every request fail with 503, like an outage.
	Down atomic.Bool
	// TooMany, while above zero, makes each request decrement it and answer
	// 429 with Retry-After: 1, like the service's rate limit.
	TooMany atomic.Int32
	// Resolve, when set, answers the CSV rows that no Known address matches
	// (benchmarks that need every address found). It is called from the
	// server's goroutines, so it must be safe for concurrent use; nil means
	// not found.
	Resolve func(query, citycode string) *Address
}

// Known are the addresses of the demo territory the fake answers with.
var Known = []Address{
	{"1 Rue des Korrigans 35380 Plélan-le-Grand", "housenumber", "35380", "35223", "Plélan-le-Grand", 47.9987, -2.0839},
	{"Place de l'Église 35310 Bréal-sous-Montfort", "street", "35310", "35037", "Bréal-sous-Montfort", 48.0495, -1.8660},
	{"Paimpont", "municipality", "35380", "35211", "Paimpont", 48.0183, -2.1713},
	{"12 Rue de Rennes 35380 Plélan-le-Grand", "housenumber", "35380", "35223", "Plélan-le-Grand", 48.0008, -2.0794},
}

// Start runs the fake until the test ends. A query matches the known
// addresses whose label contains all its words (case-insensitive).
//
// It serves GET /search (GeoJSON) and POST /search/csv (batch: a multipart
// form with the CSV in a "data" file part, repeated "columns" naming the
// columns joined into the query, optional "postcode" and "citycode" naming
// filter columns, optional repeated "result_columns"; the answer is the input
// CSV with the result columns appended).
func Start(t testing.TB) *Fake {
	f := &Fake{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Calls.Add(1)
		batch := r.URL.Path == "/search/csv" || r.URL.Path == "/search/csv/"
		if batch {
			f.BatchCalls.Add(1)
		}
		if f.Down.Load() {
			http.Error(w, `{"code":503,"message":"Service Unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		for n := f.TooMany.Load(); n > 0; n = f.TooMany.Load() {
			if f.TooMany.CompareAndSwap(n, n-1) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				io.WriteString(w, `{"code":429,"message":"Too Many Requests"}`)
				return
			}
		}
		switch {
		case r.URL.Path == "/search" && r.Method == http.MethodGet:
			f.search(w, r)
		case batch && r.Method == http.MethodPost:
			f.searchCSV(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// matches tells whether all the words of q (lower case) are in label (lower case).
func matches(label, q string) bool {
	for _, word := range strings.Fields(q) {
		if !strings.Contains(label, word) {
			return false
		}
	}
	return true
}

func (f *Fake) search(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(r.URL.Query().Get("q"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 {
		limit = 5
	}
	type feature struct {
		Type       string         `json:"type"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
		Query    string    `json:"query"`
	}{Type: "FeatureCollection", Features: []feature{}, Query: q}
	for _, a := range Known {
		if !matches(strings.ToLower(a.Label), q) || len(fc.Features) >= limit {
			continue
		}
		fc.Features = append(fc.Features, feature{
			Type:     "Feature",
			Geometry: map[string]any{"type": "Point", "coordinates": []float64{a.Lon, a.Lat}},
			Properties: map[string]any{"label": a.Label, "score": 0.95, "type": a.Type, "postcode": a.Postcode,
				"citycode": a.CityCode, "city": a.City, "name": strings.SplitN(a.Label, " 35", 2)[0],
				"context": "35, Ille-et-Vilaine, Bretagne", "importance": 0.6, "x": 0, "y": 0},
		})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(fc)
}

// resultColumns are the columns the Géoplateforme appends to each row of a
// CSV batch, in its order.
var resultColumns = []string{"longitude", "latitude", "result_score", "result_score_next", "result_label",
	"result_type", "result_id", "result_banId", "result_housenumber", "result_name", "result_street",
	"result_postcode", "result_city", "result_context", "result_citycode", "result_oldcitycode",
	"result_oldcity", "result_district", "result_status"}

func badRequest(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]any{"code": 400, "message": msg})
}

func (f *Fake) searchCSV(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		badRequest(w, "A CSV file must be provided in data field")
		return
	}
	file, _, err := r.FormFile("data")
	if err != nil {
		badRequest(w, "A CSV file must be provided in data field")
		return
	}
	defer file.Close()
	br := bufio.NewReader(file)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	first, _ := br.Peek(4096)
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	switch d := r.FormValue("delimiter"); {
	case d != "":
		cr.Comma = []rune(d)[0]
	case bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")):
		cr.Comma = ';'
	}
	header, err := cr.Read()
	if err != nil {
		badRequest(w, "Unable to parse the CSV file")
		return
	}
	header = append([]string(nil), header...)
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[h] = i
	}
	var qcols []int
	for _, name := range r.MultipartForm.Value["columns"] {
		i, ok := col[name]
		if !ok {
			badRequest(w, fmt.Sprintf("Unknown column: %s", name))
			return
		}
		qcols = append(qcols, i)
	}
	if len(qcols) == 0 {
		for i := range header {
			qcols = append(qcols, i)
		}
	}
	filter := func(param string) int {
		if name := r.FormValue(param); name != "" {
			if i, ok := col[name]; ok {
				return i
			}
		}
		return -1
	}
	pcol, ccol := filter("postcode"), filter("citycode")
	out := resultColumns
	if rc := r.MultipartForm.Value["result_columns"]; len(rc) > 0 {
		out = rc
	}

	known := make([]string, len(Known))
	for i, a := range Known {
		known[i] = strings.ToLower(a.Label)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.Comma = cr.Comma
	cw.Write(append(header, out...))
	row := make([]string, 0, len(header)+len(out))
	vals := make(map[string]string, len(resultColumns))
	var q strings.Builder
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// The real service stops with an error mid-stream; so does the fake.
			break
		}
		q.Reset()
		for _, i := range qcols {
			if i < len(rec) {
				if v := strings.TrimSpace(rec[i]); v != "" {
					if q.Len() > 0 {
						q.WriteByte(' ')
					}
					q.WriteString(v)
				}
			}
		}
		field := func(i int) string {
			if i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		clear(vals)
		vals["result_status"] = f.answer(vals, q.String(), field(pcol), field(ccol), known)
		row = append(row[:0], rec...)
		for _, c := range out {
			row = append(row, vals[c])
		}
		cw.Write(row)
	}
	cw.Flush()
	bw.Flush()
}

// answer fills vals with the result columns for query q and returns the row's status.
func (f *Fake) answer(vals map[string]string, q, postcode, citycode string, known []string) string {
	// The real service skips queries it cannot search: too short, too long,
	// or not starting with a letter or a digit.
	if n := len([]rune(q)); n < 3 || n > 200 {
		return "skipped"
	}
	if c := []rune(q)[0]; !unicode.IsLetter(c) && !unicode.IsDigit(c) {
		return "skipped"
	}
	lq := strings.ToLower(q)
	var a *Address
	for i := range Known {
		k := &Known[i]
		if (citycode == "" || k.CityCode == citycode) && (postcode == "" || k.Postcode == postcode) && matches(known[i], lq) {
			a = k
			break
		}
	}
	if a == nil && f.Resolve != nil {
		a = f.Resolve(q, citycode)
	}
	if a == nil {
		return "not-found"
	}
	ff := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	vals["longitude"], vals["latitude"] = ff(a.Lon), ff(a.Lat)
	vals["result_score"] = "0.95"
	vals["result_label"], vals["result_type"] = a.Label, a.Type
	vals["result_id"] = a.CityCode
	name := strings.TrimSuffix(a.Label, " "+a.Postcode+" "+a.City)
	vals["result_name"] = name
	if a.Type == "housenumber" {
		if num, street, ok := strings.Cut(name, " "); ok {
			vals["result_housenumber"], vals["result_street"] = num, street
			vals["result_id"] = a.CityCode + "_fake_" + num
		}
	} else if a.Type == "street" {
		vals["result_street"] = name
	}
	vals["result_postcode"], vals["result_city"], vals["result_citycode"] = a.Postcode, a.City, a.CityCode
	if strings.HasPrefix(a.CityCode, "35") {
		vals["result_context"] = "35, Ille-et-Vilaine, Bretagne"
	} else if len(a.CityCode) >= 2 {
		vals["result_context"] = a.CityCode[:2]
	}
	return "ok"
}
