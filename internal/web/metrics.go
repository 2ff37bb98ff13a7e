package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// durationBuckets are the upper bounds, in seconds, of the request
// duration histogram: pages answer in milliseconds, exports and PDFs in
// seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// requestKey labels a request counter. route is the ServeMux pattern, never
// the path: personal update links carry their secret in the path.
type requestKey struct {
	route, method, code string
}

type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

// httpMetrics counts requests in memory, for /metrics.
type httpMetrics struct {
	mu        sync.Mutex
	requests  map[requestKey]uint64
	durations map[string]*histogram
}

func newHTTPMetrics() *httpMetrics {
	return &httpMetrics{requests: map[requestKey]uint64{}, durations: map[string]*histogram{}}
}

// routeLabel turns a ServeMux pattern ("GET /maj/{secret}") into the route
// label ("/maj/{secret}"); a request no pattern matched is "aucune".
func routeLabel(pattern string) string {
	if pattern == "" {
		return "aucune"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// methodLabel keeps the label's values few: any method is accepted on the
// wire, only the usual ones get their own series.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "autre"
}

func (m *httpMetrics) observe(pattern, method string, code int, d time.Duration) {
	route := routeLabel(pattern)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{route, methodLabel(method), strconv.Itoa(code)}]++
	h := m.durations[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(durationBuckets)+1)}
		m.durations[route] = h
	}
	sec := d.Seconds()
	i := sort.SearchFloat64s(durationBuckets, sec) // first bound >= sec
	h.counts[i]++
	h.sum += sec
	h.count++
}

// write appends the HTTP metrics in the text exposition format.
func (m *httpMetrics) write(w *bufio.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.code < b.code
	})
	writeHeader(w, "portrea_http_requests_total", "counter", "Requêtes HTTP traitées, par route, méthode et code de réponse.")
	for _, k := range keys {
		fmt.Fprintf(w, "portrea_http_requests_total{route=%s,method=%s,code=%s} %d\n", quote(k.route), quote(k.method), quote(k.code), m.requests[k])
	}
	routes := make([]string, 0, len(m.durations))
	for r := range m.durations {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	writeHeader(w, "portrea_http_request_duration_seconds", "histogram", "Durée des requêtes HTTP, par route.")
	for _, r := range routes {
		h := m.durations[r]
		var cum uint64
		for i, le := range durationBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "portrea_http_request_duration_seconds_bucket{route=%s,le=\"%s\"} %d\n", quote(r), strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "portrea_http_request_duration_seconds_bucket{route=%s,le=\"+Inf\"} %d\n", quote(r), h.count)
		fmt.Fprintf(w, "portrea_http_request_duration_seconds_sum{route=%s} %s\n", quote(r), strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(w, "portrea_http_request_duration_seconds_count{route=%s} %d\n", quote(r), h.count)
	}
}

func writeHeader(w *bufio.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}

// quote writes a label value: backslash, double quote and newline escaped.
func quote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v) + `"`
}

// writeByStatus writes one gauge series per status, sorted.
func writeByStatus(w *bufio.Writer, name, help string, counts map[string]int) {
	writeHeader(w, name, "gauge", help)
	statuses := make([]string, 0, len(counts))
	for st := range counts {
		statuses = append(statuses, st)
	}
	sort.Strings(statuses)
	for _, st := range statuses {
		fmt.Fprintf(w, "%s{status=%s} %d\n", name, quote(st), counts[st])
	}
}

// buildInfo labels portrea_build_info: the module version, the commit
// when the binary was built from a checkout, and the Go version.
func buildInfo() (version, revision string) {
	version, revision = "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				revision = s.Value
			}
		}
	}
	return version, revision
}

// metrics serves /metrics in the Prometheus text format: HTTP counters
// kept in memory and a few counts from the database. No label carries a
// path, a name or an address.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	counts, err := s.st.Counts(ctx)
	if err != nil {
		s.log.Error("metrics: database", "err", err)
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	defer bw.Flush()

	version, revision := buildInfo()
	writeHeader(bw, "portrea_build_info", "gauge", "Version de PORTREA en service (toujours 1).")
	fmt.Fprintf(bw, "portrea_build_info{version=%s,revision=%s,goversion=%s,engine=%s} 1\n",
		quote(version), quote(revision), quote(runtime.Version()), quote(s.st.Engine()))
	writeHeader(bw, "portrea_database_up", "gauge", "1 si la base de données a répondu aux comptages de cette page, 0 sinon.")
	if err != nil {
		fmt.Fprintln(bw, "portrea_database_up 0")
	} else {
		fmt.Fprintln(bw, "portrea_database_up 1")
		writeByStatus(bw, "portrea_campaign_messages", "Messages de campagne, par statut.", counts.CampaignMessages)
		writeByStatus(bw, "portrea_imports", "Imports de recensement, par statut.", counts.Imports)
		writeByStatus(bw, "portrea_places", "Lieux, par statut.", counts.Places)
		writeByStatus(bw, "portrea_campaigns", "Campagnes, par statut.", counts.Campaigns)
		writeByStatus(bw, "portrea_outbox_mails", "Courriels de la boîte d'envoi (comptes, notifications) : envoye, attente, echec (en attente après un essai manqué).", counts.Outbox)
		writeHeader(bw, "portrea_outbox_pending", "gauge", "Courriels de la boîte d'envoi pas encore partis.")
		fmt.Fprintf(bw, "portrea_outbox_pending %d\n", counts.OutboxPending)
	}
	s.stats.write(bw)
}
