package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Route kinds, for the mix and for the test's "every kind exercised".
const (
	kindMap         = "carte"
	kindSearch      = "recherche"
	kindSheet       = "fiche"
	kindOrientation = "orientation"
	kindEdit        = "édition"
	// The static files a page loads (once per simulated browser).
	kindStatic = "statique"
)

// maxErrorSamples bounds the failures kept verbatim for the report.
const maxErrorSamples = 20

// recorder collects the duration and outcome of every request, by route
// pattern. It is shared by all simulated users.
type recorder struct {
	mu      sync.Mutex
	routes  map[string]*routeSamples
	samples []string
	errors  int
}

type routeSamples struct {
	kind      string
	durations []time.Duration
	errors    int
}

func newRecorder() *recorder { return &recorder{routes: map[string]*routeSamples{}} }

func (r *recorder) record(kind, route string, d time.Duration, err error) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	rs := r.routes[route]
	if rs == nil {
		rs = &routeSamples{kind: kind}
		r.routes[route] = rs
	}
	rs.durations = append(rs.durations, d)
	if err != nil {
		rs.errors++
		r.errors++
		if len(r.samples) < maxErrorSamples {
			r.samples = append(r.samples, route+": "+err.Error())
		}
	}
}

// RouteStats is the summary of one route pattern.
type RouteStats struct {
	Route  string  `json:"route"`
	Kind   string  `json:"kind"`
	Count  int     `json:"count"`
	Errors int     `json:"errors"`
	P50ms  float64 `json:"p50_ms"`
	P90ms  float64 `json:"p90_ms"`
	P99ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
}

// Result is the outcome of a load run.
type Result struct {
	Target       string        `json:"target"`
	Users        int           `json:"users"`
	Editors      int           `json:"editors"`
	Duration     time.Duration `json:"-"`
	ThinkMax     time.Duration `json:"-"`
	DurationS    float64       `json:"duration_s"`
	ThinkMaxMs   float64       `json:"think_max_ms"`
	ElapsedS     float64       `json:"elapsed_s"`
	Requests     int           `json:"requests"`
	Errors       int           `json:"errors"`
	Throughput   float64       `json:"throughput_rps"`
	Routes       []RouteStats  `json:"routes"`
	ErrorSamples []string      `json:"error_samples,omitempty"`
	// Edits maps each edited place to the marker its editor saved last:
	// each editor owns its place, so that marker is the place's final state.
	Edits map[string]string `json:"edits"`
	// Saves counts the edits the server accepted.
	Saves int `json:"saves"`
}

// Kinds counts the requests per route kind.
func (res *Result) Kinds() map[string]int {
	out := map[string]int{}
	for _, rs := range res.Routes {
		out[rs.Kind] += rs.Count
	}
	return out
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*100) / 100 }

// summarize fills res from the recorded samples.
func (r *recorder) summarize(res *Result, elapsed time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res.Routes = res.Routes[:0]
	res.Requests, res.Errors = 0, r.errors
	for route, rs := range r.routes {
		d := append([]time.Duration(nil), rs.durations...)
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		res.Routes = append(res.Routes, RouteStats{Route: route, Kind: rs.kind, Count: len(d), Errors: rs.errors,
			P50ms: ms(percentile(d, .50)), P90ms: ms(percentile(d, .90)), P99ms: ms(percentile(d, .99)), MaxMs: ms(percentile(d, 1))})
		res.Requests += len(d)
	}
	sort.Slice(res.Routes, func(i, j int) bool {
		a, b := res.Routes[i], res.Routes[j]
		if a.Kind != b.Kind {
			return kindOrder(a.Kind) < kindOrder(b.Kind)
		}
		return a.Route < b.Route
	})
	res.ErrorSamples = append([]string(nil), r.samples...)
	res.ElapsedS = math.Round(elapsed.Seconds()*100) / 100
	res.DurationS, res.ThinkMaxMs = res.Duration.Seconds(), ms(res.ThinkMax)
	if elapsed > 0 {
		res.Throughput = math.Round(float64(res.Requests)/elapsed.Seconds()*10) / 10
	}
}

func kindOrder(k string) int {
	for i, x := range []string{kindMap, kindSearch, kindSheet, kindOrientation, kindEdit, kindStatic} {
		if x == k {
			return i
		}
	}
	return 99
}

// WriteTable prints the result as aligned text.
func (res *Result) WriteTable(w io.Writer) {
	width := len("TOTAL")
	for _, rs := range res.Routes {
		width = max(width, len(rs.Route))
	}
	kw := len("kind")
	for _, rs := range res.Routes {
		kw = max(kw, len([]rune(rs.Kind)))
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len([]rune(s)))) }
	fmt.Fprintf(w, "%s  %s  %8s  %6s  %9s  %9s  %9s  %9s\n", pad("route", width), pad("kind", kw), "count", "errors", "p50", "p90", "p99", "max")
	for _, rs := range res.Routes {
		fmt.Fprintf(w, "%s  %s  %8d  %6d  %9s  %9s  %9s  %9s\n", pad(rs.Route, width), pad(rs.Kind, kw), rs.Count, rs.Errors,
			fmtMs(rs.P50ms), fmtMs(rs.P90ms), fmtMs(rs.P99ms), fmtMs(rs.MaxMs))
	}
	fmt.Fprintf(w, "%s  %s  %8d  %6d\n", pad("TOTAL", width), pad("", kw), res.Requests, res.Errors)
	fmt.Fprintf(w, "\n%d users (%d editors), think time 0-%s, %s requested, %.1f s elapsed: %.1f requests/s, %d errors, %d edits saved\n",
		res.Users, res.Editors, res.ThinkMax, res.Duration, res.ElapsedS, res.Throughput, res.Errors, res.Saves)
	if len(res.ErrorSamples) > 0 {
		fmt.Fprintf(w, "\nfirst errors:\n")
		for _, s := range res.ErrorSamples {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
}

func fmtMs(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0fms", v)
	}
	return fmt.Sprintf("%.1fms", v)
}

// WriteJSON dumps the result to file.
func (res *Result) WriteJSON(file string) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(b, '\n'), 0o644)
}
