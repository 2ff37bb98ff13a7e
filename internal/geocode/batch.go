package geocode

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BatchQuery is one address to geocode in a batch. ID is echoed back.
type BatchQuery struct{ ID, Address, Postcode, CityCode string }

// BatchResult is the answer for one query; Found is false when the geocoder found nothing.
type BatchResult struct {
	ID    string
	Found bool
	Result
}

// batchConfig tunes Batch; tests shrink it.
type batchConfig struct {
	chunk    int           // rows per request
	interval time.Duration // at least this long between two requests
	timeout  time.Duration // per request: a 5,000-row chunk takes far longer than a person waits
	retries  int           // extra attempts on 5xx and network failures
	backoff  time.Duration // first wait between attempts, doubled each time
	limited  int           // 429 answers in a row after which the service counts as down
}

var defaultBatch = batchConfig{
	chunk:    5000,
	interval: 100 * time.Millisecond, // 10 requests/s, a fifth of the service's limit
	timeout:  2 * time.Minute,
	retries:  4,
	backoff:  time.Second,
	limited:  20,
}

// maxRetryAfter caps the wait asked by a 429, and defaultRetryAfter is used
// when the answer does not say (the Géoplateforme blocks for 5 seconds).
const (
	maxRetryAfter     = 2 * time.Minute
	defaultRetryAfter = 5 * time.Second
)

// Columns of the CSV sent: the row index (to match the answer), the query
// and the two filters. The names cannot collide with the result columns.
var batchHeader = []string{"id", "address", "postcode", "citycode"}

// Result columns asked for; the answer is read by header name whatever it holds.
var batchResultColumns = []string{"latitude", "longitude", "result_label", "result_score", "result_type",
	"result_postcode", "result_citycode", "result_city", "result_status"}

// Batch geocodes many addresses through the CSV endpoint (POST /search/csv),
// in chunks of 5,000 rows, one request at a time and at most 10 per second for
// the whole process. It waits as told on 429 Too Many Requests (Retry-After,
// capped at 2 minutes), retries 5xx and network failures with exponential
// back-off, and returns an error wrapping ErrUnavailable when the service
// stays down. progress, if not nil, is called after each chunk with the
// number of queries answered so far. Results are in the order of qs; queries
// with an empty address are not sent and come back not found. A query is
// filtered by its city code when given, else by its postcode.
func (c *Client) Batch(ctx context.Context, qs []BatchQuery, progress func(done int)) ([]BatchResult, error) {
	return c.batch(ctx, qs, progress, defaultBatch)
}

func (c *Client) batch(ctx context.Context, qs []BatchQuery, progress func(done int), cfg batchConfig) ([]BatchResult, error) {
	out := make([]BatchResult, len(qs))
	for i, q := range qs {
		out[i].ID = q.ID
	}
	hc := http.DefaultClient
	if c.HTTP != nil {
		hc = c.HTTP
	}
	batchHTTP := *hc // same transport, but the interactive timeout would cut a big chunk short
	batchHTTP.Timeout = 0
	g := gateFor(c.BaseURL)
	for start := 0; start < len(qs); start += cfg.chunk {
		end := min(start+cfg.chunk, len(qs))
		body, ctype, sent, err := encodeChunk(qs, start, end)
		if err != nil {
			return nil, fmt.Errorf("geocode: batch rows %d-%d: %w", start+1, end, err)
		}
		if sent > 0 {
			if err := c.sendChunk(ctx, &batchHTTP, g, cfg, body, ctype, out, start, end, sent); err != nil {
				return nil, fmt.Errorf("geocode: batch rows %d-%d: %w", start+1, end, err)
			}
		}
		if progress != nil {
			progress(end)
		}
	}
	return out, nil
}

// cleanAddress makes an address one line of text.
func cleanAddress(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// encodeChunk writes qs[start:end] as the multipart form of the CSV endpoint
// and returns how many rows it holds (empty addresses are left out).
func encodeChunk(qs []BatchQuery, start, end int) (body []byte, contentType string, sent int, err error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range [][2]string{{"columns", "address"}, {"citycode", "citycode"}, {"postcode", "postcode"}} {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return nil, "", 0, err
		}
	}
	for _, rc := range batchResultColumns {
		if err := mw.WriteField("result_columns", rc); err != nil {
			return nil, "", 0, err
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="data"; filename="adresses.csv"`)
	h.Set("Content-Type", "text/csv; charset=utf-8")
	part, err := mw.CreatePart(h)
	if err != nil {
		return nil, "", 0, err
	}
	cw := csv.NewWriter(part)
	cw.Write(batchHeader)
	for i := start; i < end; i++ {
		q := qs[i]
		addr := cleanAddress(q.Address)
		if addr == "" {
			continue
		}
		// The service applies a filter only where its column is not empty,
		// so each row gets the city code, or failing that the postcode.
		city, post := strings.TrimSpace(q.CityCode), ""
		if city == "" {
			post = strings.TrimSpace(q.Postcode)
		}
		cw.Write([]string{strconv.Itoa(i), addr, post, city})
		sent++
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, "", 0, err
	}
	if err := mw.Close(); err != nil {
		return nil, "", 0, err
	}
	return buf.Bytes(), mw.FormDataContentType(), sent, nil
}

// errTemporary marks the failures worth another attempt.
type errTemporary struct{ err error }

func (e errTemporary) Error() string { return e.err.Error() }
func (e errTemporary) Unwrap() error { return e.err }

// errLimited is a 429 answer and the wait it asks for.
type errLimited struct{ wait time.Duration }

func (e errLimited) Error() string { return fmt.Sprintf("rate limited for %s", e.wait) }

// sendChunk posts one chunk until it is answered, the service is deemed down
// or ctx ends, and fills out[start:end] from the answer.
func (c *Client) sendChunk(ctx context.Context, hc *http.Client, g *gate, cfg batchConfig, body []byte, ctype string,
	out []BatchResult, start, end, sent int) error {
	failures, limited := 0, 0
	for {
		if err := g.enter(ctx); err != nil {
			return err
		}
		err := c.postChunk(ctx, hc, cfg, body, ctype, out, start, end, sent)
		next := time.Now().Add(cfg.interval)
		var lim errLimited
		if errors.As(err, &lim) {
			next = time.Now().Add(max(lim.wait, cfg.interval))
		}
		g.leave(next) // the wait asked by a 429 holds back every caller of this service
		var tmp errTemporary
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &lim):
			if limited++; limited > cfg.limited {
				return fmt.Errorf("%w: still rate limited after %d attempts", ErrUnavailable, limited)
			}
		case errors.As(err, &tmp):
			if failures++; failures > cfg.retries {
				return fmt.Errorf("%w: %d attempts: %v", ErrUnavailable, failures, err)
			}
			if err := sleep(ctx, cfg.backoff<<(failures-1)); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
	}
}

// postChunk makes one attempt.
func (c *Client) postChunk(ctx context.Context, hc *http.Client, cfg batchConfig, body []byte, ctype string,
	out []BatchResult, start, end, sent int) error {
	rctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, c.BaseURL+"/search/csv", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "text/csv")
	resp, err := hc.Do(req)
	if err != nil {
		return errTemporary{err}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return errLimited{retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	case resp.StatusCode >= 500:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return errTemporary{fmt.Errorf("status %d", resp.StatusCode)}
	case resp.StatusCode != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	// A body cut short or garbled is most likely a dropped connection: try again.
	if err := readAnswer(resp.Body, out, start, end, sent); err != nil {
		return errTemporary{err}
	}
	return nil
}

// readAnswer reads the answer CSV by column name and fills out[start:end].
func readAnswer(r io.Reader, out []BatchResult, start, end, sent int) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("answer header: %w", err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"id", "latitude", "longitude"} {
		if _, ok := col[need]; !ok {
			return fmt.Errorf("answer has no %q column", need)
		}
	}
	at := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	fresh := make([]bool, end-start)
	got := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("answer: %w", err)
		}
		i, err := strconv.Atoi(at(rec, "id"))
		if err != nil || i < start || i >= end || fresh[i-start] {
			return fmt.Errorf("answer line %d: unexpected id %q", got+2, at(rec, "id"))
		}
		fresh[i-start] = true
		got++
		res := &out[i]
		res.Found, res.Result = false, Result{}
		if status := at(rec, "result_status"); status != "" && status != "ok" {
			continue // not-found, skipped, error
		}
		lat, errLat := strconv.ParseFloat(at(rec, "latitude"), 64)
		lon, errLon := strconv.ParseFloat(at(rec, "longitude"), 64)
		if errLat != nil || errLon != nil {
			continue
		}
		score, _ := strconv.ParseFloat(at(rec, "result_score"), 64)
		res.Found = true
		res.Result = Result{Label: at(rec, "result_label"), Type: at(rec, "result_type"), Score: score, Lat: lat, Lon: lon,
			Postcode: at(rec, "result_postcode"), CityCode: at(rec, "result_citycode"), City: at(rec, "result_city")}
	}
	if got != sent {
		return fmt.Errorf("answer has %d rows for %d sent", got, sent)
	}
	return nil
}

// retryAfter reads a Retry-After header (seconds or an HTTP date).
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	d := defaultRetryAfter
	if s, err := strconv.Atoi(h); err == nil {
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// gate lets one batch request at a time reach a service, no sooner than
// notBefore. It is shared by the whole process, because the Géoplateforme
// limits requests per IP address, not per client.
type gate struct {
	slot      chan struct{}
	notBefore time.Time // guarded by slot
}

var gates sync.Map // base URL → *gate

func gateFor(baseURL string) *gate {
	g, _ := gates.LoadOrStore(baseURL, &gate{slot: make(chan struct{}, 1)})
	return g.(*gate)
}

// enter takes the slot and waits for notBefore; the caller must leave.
func (g *gate) enter(ctx context.Context) error {
	select {
	case g.slot <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := sleep(ctx, time.Until(g.notBefore)); err != nil {
		<-g.slot
		return err
	}
	return nil
}

// leave frees the slot; the next request may go at next.
func (g *gate) leave(next time.Time) {
	if next.After(g.notBefore) {
		g.notBefore = next
	}
	<-g.slot
}
