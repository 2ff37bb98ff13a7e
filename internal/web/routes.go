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
	mux.HandleFunc("POST /lieux/{id}/signaler", s.reportError)
	mux.HandleFunc("GET /orientation", s.orientation)
	mux.HandleFunc("GET /orientation/fiche", s.orientationSheet)
	mux.HandleFunc("POST /orientation/fiche", s.orientationSheet)
	mux.HandleFunc("GET /embed", s.embed)
	mux.HandleFunc("GET /integrer", s.integrer)
	mux.Handle("GET /static/{hash}/{path...}", s.assets)

	// Public API.
	mux.HandleFunc("GET /api/openapi.json", s.openAPI)
	mux.HandleFunc("GET /api/v1/lieux", s.apiPlaces)
	mux.HandleFunc("GET /api/v1/lieux.geojson", s.apiPlacesGeoJSON)
	mux.HandleFunc("GET /api/v1/lieux/{id}", s.apiPlace)
	mux.HandleFunc("GET /api/v1/carte", s.apiMap)
	mux.HandleFunc("GET /api/v1/adresses", s.apiAddresses)
	mux.HandleFunc("GET /api/v1/export/lieux-de-mediation-numerique.csv", s.exportStandardCSV)
	mux.HandleFunc("GET /api/v1/export/lieux-de-mediation-numerique.json", s.exportStandardJSON)

	return s.logRequests(securityHeaders(compress(mux)))
}
