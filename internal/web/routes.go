package web

import "net/http"

// routes declares every URL of PORTREA, grouped by area.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Operations.
	mux.HandleFunc("GET /healthz", s.healthz)

	// Public site.
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /lieux/{id}", s.placeSheet)
	mux.Handle("GET /static/{hash}/{path...}", s.assets)

	// Public API.
	mux.HandleFunc("GET /api/openapi.json", s.openAPI)
	mux.HandleFunc("GET /api/v1/lieux", s.apiPlaces)
	mux.HandleFunc("GET /api/v1/lieux.geojson", s.apiPlacesGeoJSON)
	mux.HandleFunc("GET /api/v1/lieux/{id}", s.apiPlace)
	mux.HandleFunc("GET /api/v1/export/lieux-de-mediation-numerique.csv", s.exportStandardCSV)
	mux.HandleFunc("GET /api/v1/export/lieux-de-mediation-numerique.json", s.exportStandardJSON)

	return s.logRequests(securityHeaders(mux))
}
