package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// heapObjects is the heap's object bytes, live or not yet collected,
// read without stopping the world.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// discardResponse is a ResponseWriter that counts and drops the body, so
// that the benchmark measures the export, not a buffer of the whole file.
type discardResponse struct {
	h      http.Header
	status int
	n      int64
}

func (d *discardResponse) Header() http.Header         { return d.h }
func (d *discardResponse) WriteHeader(status int)      { d.status = status }
func (d *discardResponse) Write(b []byte) (int, error) { d.n += int64(len(b)); return len(b), nil }

// BenchmarkExportStandardCSV100k streams the national standard CSV of
// 100,000 public places through the real router, on both engines. Beside
// time and allocations it reports the file size and how far the heap rose
// above its live size during the export (MB-heap-rise, sampled): the
// allocations are per row and collected as the rows go, so the rise stays
// far below the file size instead of growing with it.
func BenchmarkExportStandardCSV100k(b *testing.B) {
	for _, e := range storetest.Engines() {
		st := e.Open(b)
		places := demo.Synthetic(territory.Default(), 100_000, 42)
		if _, err := st.InsertPlaces(context.Background(), places, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "bench"}}); err != nil {
			b.Fatal(err)
		}
		places = nil
		h := newHandler(b, st)
		b.Run(e.Name, func(b *testing.B) {
			b.ReportAllocs()
			runtime.GC()
			base, peak := heapObjects(), uint64(0)
			stop, done := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				t := time.NewTicker(2 * time.Millisecond)
				defer t.Stop()
				for {
					select {
					case <-stop:
						return
					case <-t.C:
						peak = max(peak, heapObjects())
					}
				}
			}()
			var out *discardResponse
			for i := 0; i < b.N; i++ {
				out = &discardResponse{h: http.Header{}, status: 200}
				h.ServeHTTP(out, httptest.NewRequest("GET", "/api/v1/export/lieux-de-mediation-numerique.csv", nil))
				if out.status != 200 || out.n < 10<<20 {
					b.Fatalf("status %d, %d bytes", out.status, out.n)
				}
			}
			b.StopTimer()
			close(stop)
			<-done
			b.ReportMetric(float64(out.n)/(1<<20), "MB-out")
			b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "MB-heap-rise")
		})
	}
}
