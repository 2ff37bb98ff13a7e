// Package geocode turns French addresses into positions through the
// national address geocoder (BAN / Géoplateforme API: GET /search?q=…).
package geocode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Result is one address found.
type Result struct {
	Label    string  // "12 Rue de Rennes 35380 Plélan-le-Grand"
	Type     string  // housenumber, street, locality, municipality
	Score    float64 // 0 to 1
	Lat, Lon float64
	Postcode string
	CityCode string // INSEE code
	City     string
}

// ErrUnavailable wraps every failure of the geocoder service itself
// (unreachable, timeout, error status, unreadable answer), so that callers
// can tell the person that address search is down and carry on.
var ErrUnavailable = errors.New("geocode: service unavailable")

// Client calls a geocoder at BaseURL (e.g. https://data.geopf.fr/geocodage).
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// New returns a client with a short timeout: a person is waiting.
func New(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{Timeout: 4 * time.Second}}
}

// featureCollection is the GeoJSON answer of /search.
type featureCollection struct {
	Features []struct {
		Geometry struct {
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			Label    string  `json:"label"`
			Type     string  `json:"type"`
			Score    float64 `json:"score"`
			Postcode string  `json:"postcode"`
			CityCode string  `json:"citycode"`
			City     string  `json:"city"`
		} `json:"properties"`
	} `json:"features"`
}

// Search looks an address up and returns at most limit results, best
// first. An empty or too short query returns nothing without calling out.
func (c *Client) Search(ctx context.Context, q string, limit int) ([]Result, error) {
	q = strings.TrimSpace(q)
	if len([]rune(q)) < 3 {
		return nil, nil
	}
	v := url.Values{"q": {q}, "limit": {strconv.Itoa(limit)}, "index": {"address"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/search?"+v.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("geocode: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, fmt.Errorf("%w: status %d", ErrUnavailable, resp.StatusCode)
	}
	var fc featureCollection
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&fc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	out := make([]Result, 0, len(fc.Features))
	for _, f := range fc.Features {
		if len(f.Geometry.Coordinates) < 2 {
			continue
		}
		p := f.Properties
		out = append(out, Result{Label: p.Label, Type: p.Type, Score: p.Score, Lon: f.Geometry.Coordinates[0],
			Lat: f.Geometry.Coordinates[1], Postcode: p.Postcode, CityCode: p.CityCode, City: p.City})
	}
	return out, nil
}
