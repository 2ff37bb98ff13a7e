// Package web serves PORTREA over HTTP: the public site, the public API
// and, later, the back office. Handlers call the domain packages and the
// store; nothing below web knows about HTTP.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"portrea/internal/config"
	"portrea/internal/geocode"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// Server holds what the handlers need.
type Server struct {
	cfg    config.Config
	st     *store.Store
	ref    *territory.Reference
	geo    *geocode.Client
	log    *slog.Logger
	pages  *pages
	assets *assets
	now    func() time.Time
	secret []byte // signs public forms and hashes client addresses
	// minFormAge is how long a person needs at least to fill a public form.
	minFormAge time.Duration
	// ctx lives as long as the server: background work (imports) runs in it.
	ctx  context.Context
	bg   sync.WaitGroup // the background work started by requests
	jobs importJobs
	// stats counts requests by route for /metrics.
	stats *httpMetrics
}

// Handler is PORTREA's HTTP handler, with the background work its requests
// start (import previews and commits, outline fetches).
type Handler struct {
	http.Handler
	s *Server
}

// Wait returns once the background work has ended: it stops with the
// context given to New, an import preview marking itself interrupted and a
// commit rolling back (to be run again).
func (h *Handler) Wait() { h.s.bg.Wait() }

// New builds the HTTP handler of PORTREA. It fails if a template is broken.
func New(ctx context.Context, cfg config.Config, st *store.Store, ref *territory.Reference, log *slog.Logger) (*Handler, error) {
	s, err := newServer(ctx, cfg, st, ref, log)
	if err != nil {
		return nil, err
	}
	return &Handler{Handler: s.routes(), s: s}, nil
}

func newServer(ctx context.Context, cfg config.Config, st *store.Store, ref *territory.Reference, log *slog.Logger) (*Server, error) {
	as, err := newAssets()
	if err != nil {
		return nil, err
	}
	pg, err := parsePages(as)
	if err != nil {
		return nil, err
	}
	secret, err := st.Secret(ctx, "formulaires")
	if err != nil {
		return nil, err
	}
	if n, err := st.InterruptImports(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		log.Warn("imports interrupted by the last stop", "count", n)
	}
	return &Server{cfg: cfg, st: st, ref: ref, geo: geocode.New(cfg.GeocoderURL), log: log, pages: pg, assets: as,
		now: time.Now, secret: secret, minFormAge: 3 * time.Second, ctx: ctx, stats: newHTTPMetrics()}, nil
}

// Serve runs the handler on addr until ctx ends, then shuts down
// gracefully, leaving in-flight requests a few seconds to finish.
func Serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	log.Info("arrêt du serveur")
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store")
	if err := s.st.Ping(ctx); err != nil {
		s.log.Error("healthz: database", "err", err)
		http.Error(w, "base de données injoignable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), payment=()")
		// HSTS only when the request came over HTTPS, directly or through
		// the reverse proxy; browsers ignore it over plain HTTP anyway, so
		// trusting the proxy's header costs nothing.
		if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs one line per request: method, path (never the query,
// which may carry a secret token, and with the secret of a personal update
// link masked), status and duration; and counts it for /metrics under the
// route's pattern, which ServeMux sets on r.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.stats.observe(r.Pattern, r.Method, rec.status, time.Since(start))
		s.log.Info("requête", "method", r.Method, "path", redactPath(r.URL.Path), "status", rec.status, "ms", time.Since(start).Milliseconds())
	})
}
