package geocode

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"portrea/internal/geocode/geocodetest"
)

// fastBatch keeps the tests quick: small chunks, no pacing, short back-off.
var fastBatch = batchConfig{chunk: 2, interval: time.Millisecond, timeout: 10 * time.Second, retries: 2,
	backoff: time.Millisecond, limited: 5}

func TestBatch(t *testing.T) {
	fake := geocodetest.Start(t)
	c := New(fake.URL)
	qs := []BatchQuery{
		{ID: "a", Address: "1 rue des Korrigans", CityCode: "35223"},
		{ID: "b", Address: "nulle part du tout"},
		{ID: "c", Address: "  "}, // not sent
		{ID: "d", Address: "Paimpont", Postcode: "35380"},
		{ID: "a", Address: "12 rue de Rennes\nPlélan"}, // IDs need not be unique
	}
	var done []int
	res, err := c.batch(context.Background(), qs, func(n int) { done = append(done, n) }, fastBatch)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(qs) {
		t.Fatalf("%d results for %d queries", len(res), len(qs))
	}
	for i, r := range res {
		if r.ID != qs[i].ID {
			t.Errorf("result %d has ID %q, want %q", i, r.ID, qs[i].ID)
		}
	}
	found := []bool{true, false, false, true, true}
	for i, r := range res {
		if r.Found != found[i] {
			t.Errorf("result %d (%q): Found = %v, want %v", i, qs[i].Address, r.Found, found[i])
		}
	}
	if r := res[0]; r.Label != "1 Rue des Korrigans 35380 Plélan-le-Grand" || r.Type != "housenumber" ||
		r.CityCode != "35223" || r.Postcode != "35380" || r.City != "Plélan-le-Grand" || r.Lat != 47.9987 || r.Lon != -2.0839 || r.Score <= 0 {
		t.Errorf("result 0: %+v", r)
	}
	if res[3].Type != "municipality" || res[4].Label != "12 Rue de Rennes 35380 Plélan-le-Grand" {
		t.Errorf("results 3 and 4: %+v %+v", res[3], res[4])
	}
	if res[1].Result != (Result{}) || res[2].Result != (Result{}) {
		t.Errorf("unfound results carry data: %+v %+v", res[1], res[2])
	}
	if n := fake.BatchCalls.Load(); n != 3 {
		t.Errorf("%d requests for 3 chunks", n)
	}
	if want := []int{2, 4, 5}; !reflect.DeepEqual(done, want) {
		t.Errorf("progress %v, want %v", done, want)
	}

	// Nothing to send, nothing sent.
	res, err = c.batch(context.Background(), []BatchQuery{{ID: "x"}, {ID: "y", Address: " "}}, nil, fastBatch)
	if err != nil || len(res) != 2 || res[0].Found || res[1].ID != "y" || fake.BatchCalls.Load() != 3 {
		t.Errorf("empty addresses: %+v %v, %d requests", res, err, fake.BatchCalls.Load())
	}
}

func TestBatchFilters(t *testing.T) {
	fake := geocodetest.Start(t)
	c := New(fake.URL)
	tests := []struct {
		name string
		q    BatchQuery
		want bool
	}{
		{"right city code", BatchQuery{Address: "rue de rennes", CityCode: "35223"}, true},
		{"wrong city code", BatchQuery{Address: "rue de rennes", CityCode: "35211"}, false},
		{"right postcode", BatchQuery{Address: "rue de rennes", Postcode: "35380"}, true},
		{"wrong postcode", BatchQuery{Address: "rue de rennes", Postcode: "35310"}, false},
		{"city code wins over postcode", BatchQuery{Address: "rue de rennes", CityCode: "35223", Postcode: "99999"}, true},
		{"no filter", BatchQuery{Address: "rue de rennes"}, true},
	}
	qs := make([]BatchQuery, len(tests))
	for i, tt := range tests {
		qs[i] = tt.q
	}
	res, err := c.batch(context.Background(), qs, nil, fastBatch)
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		if res[i].Found != tt.want {
			t.Errorf("%s: Found = %v", tt.name, res[i].Found)
		}
	}
}

func TestBatchTooManyRequests(t *testing.T) {
	fake := geocodetest.Start(t)
	fake.TooMany.Store(1)
	c := New(fake.URL)
	t0 := time.Now()
	res, err := c.batch(context.Background(), []BatchQuery{{ID: "p", Address: "Paimpont"}}, nil, fastBatch)
	if err != nil || !res[0].Found {
		t.Fatalf("after a 429: %+v %v", res, err)
	}
	if d := time.Since(t0); d < 900*time.Millisecond {
		t.Errorf("went on after %s, Retry-After said 1 s", d)
	}
	if n := fake.BatchCalls.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}

	// A service that keeps refusing counts as down.
	fake.TooMany.Store(100)
	cfg := fastBatch
	cfg.limited = 0
	if _, err := c.batch(context.Background(), []BatchQuery{{Address: "Paimpont"}}, nil, cfg); !errors.Is(err, ErrUnavailable) {
		t.Errorf("always 429: %v", err)
	}
}

func TestBatchCancelDuringRetryAfter(t *testing.T) {
	fake := geocodetest.Start(t)
	fake.TooMany.Store(5)
	c := New(fake.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(200*time.Millisecond, cancel)
	t0 := time.Now()
	_, err := c.batch(ctx, []BatchQuery{{Address: "Paimpont"}}, nil, fastBatch)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		t.Errorf("cancelled: %v", err)
	}
	if d := time.Since(t0); d > 800*time.Millisecond {
		t.Errorf("cancellation took %s", d)
	}
	if n := fake.BatchCalls.Load(); n != 1 {
		t.Errorf("%d requests, want 1 before the wait", n)
	}
}

func TestBatchUnavailable(t *testing.T) {
	fake := geocodetest.Start(t)
	fake.Down.Store(true)
	c := New(fake.URL)
	_, err := c.batch(context.Background(), []BatchQuery{{Address: "Paimpont"}}, nil, fastBatch)
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("outage: %v", err)
	}
	if n := fake.BatchCalls.Load(); n != int64(1+fastBatch.retries) {
		t.Errorf("%d requests, want %d", n, 1+fastBatch.retries)
	}

	c = New("http://127.0.0.1:1") // nothing listens there
	if _, err := c.batch(context.Background(), []BatchQuery{{Address: "Paimpont"}}, nil, fastBatch); !errors.Is(err, ErrUnavailable) {
		t.Errorf("unreachable: %v", err)
	}
}

func TestBatchRetriesTemporaryFailures(t *testing.T) {
	fake := geocodetest.Start(t)
	target, _ := url.Parse(fake.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			http.Error(w, "bad gateway", http.StatusBadGateway)
		case 2: // a body cut short
			w.Header().Set("Content-Type", "text/csv")
			io.WriteString(w, "id,address,postcode,citycode,latitude,longitude,result_status\n0,Paimpont,,,48.0,-2.1,ok\n")
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	c := New(srv.URL)
	res, err := c.batch(context.Background(), []BatchQuery{{Address: "Paimpont"}, {Address: "Paimpont"}}, nil, fastBatch)
	if err != nil || !res[0].Found || !res[1].Found || res[0].Lat != 48.0183 {
		t.Errorf("after two failures: %+v %v", res, err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// TestBatchRealAnswer checks the request the real service expects, and reads
// an answer in another column order, with a BOM and quoted fields.
func TestBatchRealAnswer(t *testing.T) {
	var form url.Values
	var sent [][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/search/csv" {
			http.NotFound(w, r)
			return
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form = r.MultipartForm.Value
		f, fh, err := r.FormFile("data")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if ct := fh.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("data part type %q", ct)
		}
		sent, _ = csv.NewReader(f).ReadAll()
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		io.WriteString(w, "\ufeffid,address,postcode,citycode,latitude,longitude,result_label,result_score,result_score_next,"+
			"result_type,result_id,result_housenumber,result_name,result_street,result_postcode,result_city,result_context,"+
			"result_citycode,result_oldcitycode,result_oldcity,result_district,result_status\n"+
			`1,"8, boulevard du ""Port""",95000,,49.897443,2.290084,8 Boulevard du Port 95000 Cergy,0.49,,housenumber,`+
			`95127_0360_00008,8,Boulevard du Port,Boulevard du Port,95000,Cergy,"95, Val-d'Oise, Île-de-France",95127,,,,ok`+"\n"+
			"0,zzz introuvable,,35223,,,,,,,,,,,,,,,,,,not-found\n")
	}))
	defer srv.Close()
	c := New(srv.URL)
	res, err := c.batch(context.Background(), []BatchQuery{
		{ID: "z", Address: "zzz introuvable", CityCode: "35223", Postcode: "35380"},
		{ID: "p", Address: `8, boulevard du "Port"`, Postcode: "95000"},
	}, nil, defaultBatch)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].ID != "z" || res[0].Found || res[1].ID != "p" || !res[1].Found {
		t.Fatalf("results %+v", res)
	}
	want := Result{Label: "8 Boulevard du Port 95000 Cergy", Type: "housenumber", Score: 0.49, Lat: 49.897443, Lon: 2.290084,
		Postcode: "95000", CityCode: "95127", City: "Cergy"}
	if res[1].Result != want {
		t.Errorf("got %+v\nwant %+v", res[1].Result, want)
	}
	if !reflect.DeepEqual(form["columns"], []string{"address"}) || !reflect.DeepEqual(form["citycode"], []string{"citycode"}) ||
		!reflect.DeepEqual(form["postcode"], []string{"postcode"}) || len(form["result_columns"]) == 0 {
		t.Errorf("form fields %v", form)
	}
	wantRows := [][]string{{"id", "address", "postcode", "citycode"},
		{"0", "zzz introuvable", "", "35223"}, {"1", `8, boulevard du "Port"`, "95000", ""}}
	if !reflect.DeepEqual(sent, wantRows) {
		t.Errorf("sent %q", sent)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"1", time.Second},
		{" 5 ", 5 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"3600", maxRetryAfter},
		{"", defaultRetryAfter},
		{"soon", defaultRetryAfter},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Add(time.Hour).Format(http.TimeFormat), maxRetryAfter},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.h, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %s, want %s", tt.h, got, tt.want)
		}
	}
}

// TestBatchLarge geocodes 50,000 addresses in 5,000-row chunks, every one
// found through the fake's Resolve hook.
func TestBatchLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("50,000 rows")
	}
	fake := geocodetest.Start(t)
	fake.Resolve = func(q, citycode string) *geocodetest.Address {
		return &geocodetest.Address{Label: q + " 35000 Rennes", Type: "housenumber", Postcode: "35000",
			CityCode: citycode, City: "Rennes", Lat: 48.1, Lon: -1.68}
	}
	qs := make([]BatchQuery, 50000)
	for i := range qs {
		qs[i] = BatchQuery{ID: fmt.Sprint("place-", i), Address: fmt.Sprintf("%d rue de la Soif", i+1), CityCode: "35238"}
	}
	cfg := defaultBatch
	cfg.interval = time.Millisecond
	calls := 0
	t0 := time.Now()
	res, err := New(fake.URL).batch(context.Background(), qs, func(int) { calls++ }, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("50,000 rows in %s", time.Since(t0))
	for i, r := range res {
		if !r.Found || r.ID != qs[i].ID || r.Label != qs[i].Address+" 35000 Rennes" || r.CityCode != "35238" {
			t.Fatalf("result %d: %+v", i, r)
		}
	}
	if calls != 10 || fake.BatchCalls.Load() != 10 {
		t.Errorf("%d progress calls, %d requests, want 10", calls, fake.BatchCalls.Load())
	}
}
