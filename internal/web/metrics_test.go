package web

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	labelPair  = regexp.MustCompile(`^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)`)
)

type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parseMetrics reads the Prometheus text format strictly enough to catch
// a malformed line: every sample belongs to a family declared by HELP and
// TYPE before it, labels are quoted, values are numbers.
func parseMetrics(t *testing.T, body string) []sample {
	t.Helper()
	types := map[string]string{}
	helps := map[string]bool{}
	var out []sample
	for i, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, help, _ := strings.Cut(rest, " ")
			if help == "" {
				t.Errorf("line %d: HELP without text: %q", i+1, line)
			}
			helps[name] = true
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			switch typ {
			case "counter", "gauge", "histogram":
			default:
				t.Errorf("line %d: unknown type %q", i+1, typ)
			}
			types[name] = typ
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %d: malformed: %q", i+1, line)
			continue
		}
		s := sample{name: m[1], labels: map[string]string{}}
		for rest := m[2]; rest != ""; {
			l := labelPair.FindStringSubmatch(rest)
			if l == nil {
				t.Errorf("line %d: malformed labels: %q", i+1, m[2])
				break
			}
			s.labels[l[1]] = l[2]
			rest = rest[len(l[0]):]
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Errorf("line %d: value %q: %v", i+1, m[3], err)
		}
		s.value = v
		family := s.name
		if types[family] == "" {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if f, ok := strings.CutSuffix(s.name, suffix); ok && types[f] == "histogram" {
					family = f
				}
			}
		}
		if types[family] == "" || !helps[family] {
			t.Errorf("line %d: %s has no HELP and TYPE before it", i+1, s.name)
		}
		out = append(out, s)
	}
	return out
}

func findSample(samples []sample, name string, labels map[string]string) (float64, bool) {
	for _, s := range samples {
		if s.name != name {
			continue
		}
		match := true
		for k, v := range labels {
			if s.labels[k] != v {
				match = false
			}
		}
		if match {
			return s.value, true
		}
	}
	return 0, false
}

func TestMetrics(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		h := demoServer(t, st)
		const secret = "SECRETSECRETSECRET0123"
		get(t, h, "/maj/"+secret)
		get(t, h, "/maj/"+secret)
		get(t, h, "/api/v1/lieux?q="+secret)
		get(t, h, "/chemin-inconnu-"+secret)
		rec := get(t, h, "/metrics")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
			t.Fatalf("/metrics = %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		body := rec.Body.String()
		if strings.Contains(body, secret) {
			t.Errorf("/metrics shows a personal link's secret:\n%s", body)
		}
		samples := parseMetrics(t, body)
		if n, _ := findSample(samples, "portrea_http_requests_total", map[string]string{"route": "/maj/{secret}", "method": "GET", "code": "404"}); n != 2 {
			t.Errorf("requests of /maj/{secret} = %v, want 2:\n%s", n, body)
		}
		if n, _ := findSample(samples, "portrea_http_request_duration_seconds_count", map[string]string{"route": "/maj/{secret}"}); n != 2 {
			t.Errorf("duration count of /maj/{secret} = %v, want 2", n)
		}
		if n, _ := findSample(samples, "portrea_http_request_duration_seconds_bucket", map[string]string{"route": "/maj/{secret}", "le": "+Inf"}); n != 2 {
			t.Errorf("+Inf bucket of /maj/{secret} = %v, want 2", n)
		}
		if n, _ := findSample(samples, "portrea_http_requests_total", map[string]string{"route": "aucune"}); n != 1 {
			t.Errorf("requests matching no route = %v, want 1", n)
		}
		if n, _ := findSample(samples, "portrea_places", map[string]string{"status": "actif"}); n == 0 {
			t.Errorf("no active places counted:\n%s", body)
		}
		if err := st.QueueMail(context.Background(), "x@exemple.fr", "Sujet", "Corps"); err != nil {
			t.Fatal(err)
		}
		samples = parseMetrics(t, get(t, h, "/metrics").Body.String())
		if n, _ := findSample(samples, "portrea_outbox_mails", map[string]string{"status": "attente"}); n != 1 {
			t.Errorf("outbox mails waiting = %v, want 1", n)
		}
		for _, name := range []string{"portrea_build_info", "portrea_outbox_pending", "portrea_database_up"} {
			if _, ok := findSample(samples, name, nil); !ok {
				t.Errorf("%s missing", name)
			}
		}
		for _, v := range privateValues(t, st) {
			if strings.Contains(body, v) {
				t.Errorf("/metrics shows private value %q", v)
			}
		}
	})
}

func TestMetricsBuckets(t *testing.T) {
	m := newHTTPMetrics()
	for _, d := range []float64{0.001, 0.005, 0.2, 30} {
		m.observe("GET /x", "GET", 200, secondsDuration(d))
	}
	m.observe("", "BREW", 405, 0)
	h := m.durations["/x"]
	var cum uint64
	want := map[float64]uint64{0.005: 2, 0.1: 2, 0.25: 3, 10: 3}
	for i, le := range durationBuckets {
		cum += h.counts[i]
		if w, ok := want[le]; ok && cum != w {
			t.Errorf("bucket le=%v = %d, want %d", le, cum, w)
		}
	}
	if h.count != 4 {
		t.Errorf("count = %d", h.count)
	}
	if n := m.requests[requestKey{"aucune", "autre", "405"}]; n != 1 {
		t.Errorf("unknown method not folded: %v", m.requests)
	}
}

func TestReadyz(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHandler(t, st)
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusOK {
		t.Errorf("readyz = %d %s", rec.Code, rec.Body.String())
	}
	st.Close()
	rec := get(t, h, "/readyz")
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusServiceUnavailable || body["raison"] == "" {
		t.Errorf("readyz with the database closed = %d %s (%v)", rec.Code, rec.Body.String(), err)
	}
	// /metrics still answers, and says the database did not.
	rec = get(t, h, "/metrics")
	if n, _ := findSample(parseMetrics(t, rec.Body.String()), "portrea_database_up", nil); rec.Code != http.StatusOK || n != 0 {
		t.Errorf("metrics with the database closed = %d, database_up %v", rec.Code, n)
	}
}

func TestSantePageHubOnly(t *testing.T) {
	f := newBOFixture(t, storetest.OpenSQLite(t))
	hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
	rec := hub.get(t, f.h, "/gestion/sante")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("hub: /gestion/sante = %d", rec.Code)
	}
	for _, want := range []string{"<h1>Santé</h1>", "non configuré", "indisponible", "File des campagnes", `aria-current="page">Santé`,
		"servie par <code>" + f.st.Instance() + "</code>", "Aucun serveur ne réserve de travail"} {
		if !strings.Contains(body, want) {
			t.Errorf("health page lacks %q", want)
		}
	}
	referent := loginAs(t, f.h, account_(1).Email, account_(1).Password)
	if rec := referent.get(t, f.h, "/gestion/sante"); rec.Code != http.StatusForbidden {
		t.Errorf("referent: /gestion/sante = %d", rec.Code)
	}
	if strings.Contains(referent.get(t, f.h, "/gestion").Body.String(), `href="/gestion/sante"`) {
		t.Error("the referent's menu links to the health page")
	}
	if rec := get(t, f.h, "/gestion/sante"); rec.Code != http.StatusSeeOther {
		t.Errorf("anonymous: /gestion/sante = %d", rec.Code)
	}
}

func secondsDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
