// Package geoapi reads commune outlines from geo.api.gouv.fr (API
// Découpage administratif), for the portrait's map. Outlines are fetched
// once and stored: a portrait never waits for this service.
package geoapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the public service.
const DefaultBaseURL = "https://geo.api.gouv.fr"

// ErrUnavailable wraps every failure of the service itself (unreachable,
// timeout, error status, unreadable answer), so that callers can carry on
// without outlines.
var ErrUnavailable = errors.New("geoapi: service unavailable")

// ErrNotFound is the service not knowing the EPCI asked for.
var ErrNotFound = errors.New("geoapi: not found")

// maxAnswer bounds an answer: the largest EPCI's communes at the
// service's finest generalisation weigh a few megabytes.
const maxAnswer = 64 << 20

// Client calls geo.api.gouv.fr at BaseURL.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// New returns a client of the service at baseURL ("" for the public one).
// Its timeout suits a background fetch of a whole EPCI, not a page view.
func New(baseURL string) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// Geometry is a commune's outline.
type Geometry struct {
	Name string // the commune's name as the service writes it
	// Rings are the outline's rings as (lon, lat) points: a Polygon's
	// exterior ring and holes, a MultiPolygon's polygons' rings one after
	// the other. Drawn with the even-odd rule they give the commune.
	Rings [][][2]float64
	// GeoJSON is the geometry as the service sent it (compacted), to store.
	GeoJSON string
}

// featureCollection is the answer of /epcis/{code}/communes?format=geojson.
type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Properties struct {
			Code string `json:"code"`
			Nom  string `json:"nom"`
		} `json:"properties"`
		Geometry json.RawMessage `json:"geometry"`
	} `json:"features"`
}

// CommuneOutlines returns the outlines of the member communes of an EPCI,
// by INSEE code. Communes the service sends without an outline are left
// out.
func (c *Client) CommuneOutlines(ctx context.Context, epciSIREN string) (map[string]Geometry, error) {
	if !validSIREN(epciSIREN) {
		return nil, fmt.Errorf("geoapi: invalid EPCI code %q", epciSIREN)
	}
	v := url.Values{"fields": {"code,nom,contour"}, "format": {"geojson"}, "geometry": {"contour"}}
	u := c.BaseURL + "/epcis/" + epciSIREN + "/communes?" + v.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("geoapi: %w", err)
	}
	req.Header.Set("Accept", "application/geo+json, application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: EPCI %s: %v", ErrUnavailable, epciSIREN, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("%w: EPCI %s", ErrNotFound, epciSIREN)
	case resp.StatusCode != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("%w: EPCI %s: status %d", ErrUnavailable, epciSIREN, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("%w: EPCI %s: %v", ErrUnavailable, epciSIREN, err)
	}
	if len(body) > maxAnswer {
		return nil, fmt.Errorf("%w: EPCI %s: answer over %d bytes", ErrUnavailable, epciSIREN, maxAnswer)
	}
	var fc featureCollection
	if err := json.Unmarshal(body, &fc); err != nil {
		return nil, fmt.Errorf("%w: EPCI %s: %v", ErrUnavailable, epciSIREN, err)
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("%w: EPCI %s: answer of type %q, not a FeatureCollection", ErrUnavailable, epciSIREN, fc.Type)
	}
	out := make(map[string]Geometry, len(fc.Features))
	for _, f := range fc.Features {
		code := f.Properties.Code
		raw := bytes.TrimSpace(f.Geometry)
		if code == "" || len(raw) == 0 || string(raw) == "null" {
			continue
		}
		rings, err := Rings(string(raw))
		if err != nil {
			return nil, fmt.Errorf("%w: EPCI %s: commune %s: %v", ErrUnavailable, epciSIREN, code, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			return nil, fmt.Errorf("%w: EPCI %s: commune %s: %v", ErrUnavailable, epciSIREN, code, err)
		}
		out[code] = Geometry{Name: f.Properties.Nom, Rings: rings, GeoJSON: compact.String()}
	}
	return out, nil
}

// Rings reads a GeoJSON Polygon or MultiPolygon geometry (as stored from
// Geometry.GeoJSON) into its rings of (lon, lat) points, a
// MultiPolygon's polygons flattened one after the other.
func Rings(geojson string) ([][][2]float64, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal([]byte(geojson), &g); err != nil {
		return nil, fmt.Errorf("geoapi: geometry: %w", err)
	}
	switch g.Type {
	case "Polygon":
		var poly [][][]float64
		if err := json.Unmarshal(g.Coordinates, &poly); err != nil {
			return nil, fmt.Errorf("geoapi: polygon: %w", err)
		}
		return rings(poly)
	case "MultiPolygon":
		var multi [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &multi); err != nil {
			return nil, fmt.Errorf("geoapi: multipolygon: %w", err)
		}
		var out [][][2]float64
		for _, poly := range multi {
			rs, err := rings(poly)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("geoapi: geometry of type %q, want Polygon or MultiPolygon", g.Type)
}

func rings(poly [][][]float64) ([][][2]float64, error) {
	out := make([][][2]float64, 0, len(poly))
	for _, ring := range poly {
		r := make([][2]float64, len(ring))
		for i, pt := range ring {
			if len(pt) < 2 {
				return nil, fmt.Errorf("geoapi: position with %d coordinates", len(pt))
			}
			r[i] = [2]float64{pt[0], pt[1]}
		}
		out = append(out, r)
	}
	return out, nil
}

// validSIREN tells whether s is nine digits (it becomes part of a path).
func validSIREN(s string) bool {
	if len(s) != 9 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
