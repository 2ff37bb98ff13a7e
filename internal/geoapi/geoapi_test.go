package geoapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"portrea/internal/geoapi"
	"portrea/internal/geoapi/geoapitest"
	"portrea/internal/territory"
)

// inside tells whether (lon, lat) is inside ring (ray casting).
func inside(ring [][2]float64, lon, lat float64) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a[1] > lat) != (b[1] > lat) && lon < (b[0]-a[0])*(lat-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

func TestCommuneOutlines(t *testing.T) {
	fake := geoapitest.Start(t)
	c := geoapi.New(fake.URL)
	got, err := c.CommuneOutlines(context.Background(), geoapitest.Broceliande)
	if err != nil {
		t.Fatal(err)
	}
	members := territory.Default().CommunesOfEPCI(geoapitest.Broceliande)
	if len(members) != 8 || len(got) != 8 {
		t.Fatalf("%d outlines for %d members, want 8", len(got), len(members))
	}
	for _, m := range members {
		g, ok := got[m.Code]
		if !ok {
			t.Errorf("no outline for %s %s", m.Code, m.Nom)
			continue
		}
		if g.Name != m.Nom {
			t.Errorf("%s: name %q, want %q", m.Code, g.Name, m.Nom)
		}
		if len(g.Rings) == 0 || !inside(g.Rings[0], m.Lon, m.Lat) {
			t.Errorf("%s: centre not inside the first ring %v", m.Nom, g.Rings)
		}
		// The stored geometry reads back as the same rings.
		again, err := geoapi.Rings(g.GeoJSON)
		if err != nil || len(again) != len(g.Rings) || len(again[0]) != len(g.Rings[0]) || again[0][2] != g.Rings[0][2] {
			t.Errorf("%s: stored geometry reads back as %v, %v", m.Nom, again, err)
		}
		var typed struct{ Type string }
		json.Unmarshal([]byte(g.GeoJSON), &typed)
		want := "Polygon"
		if m.Code == geoapitest.MultiPolygonCommune {
			want = "MultiPolygon"
		}
		if typed.Type != want {
			t.Errorf("%s: stored geometry of type %q, want %s", m.Nom, typed.Type, want)
		}
	}
	if n := len(got[geoapitest.MultiPolygonCommune].Rings); n != 2 {
		t.Errorf("MultiPolygon flattened to %d rings, want 2", n)
	}
	if n := fake.Calls.Load(); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestCommuneOutlinesErrors(t *testing.T) {
	fake := geoapitest.Start(t)
	c := geoapi.New(fake.URL)
	ctx := context.Background()

	if _, err := c.CommuneOutlines(ctx, "999999999"); !errors.Is(err, geoapi.ErrNotFound) {
		t.Errorf("unknown EPCI: %v, want ErrNotFound", err)
	}
	if _, err := c.CommuneOutlines(ctx, "../x?y=1"); err == nil || errors.Is(err, geoapi.ErrUnavailable) {
		t.Errorf("invalid code: %v", err)
	}
	before := fake.Calls.Load()
	fake.Down.Store(true)
	if _, err := c.CommuneOutlines(ctx, geoapitest.Broceliande); !errors.Is(err, geoapi.ErrUnavailable) {
		t.Errorf("service down: %v, want ErrUnavailable", err)
	}
	if fake.Calls.Load() != before+1 {
		t.Error("the fake did not count the call")
	}

	for name, h := range map[string]http.HandlerFunc{
		"not json": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>maintenance</html>")) },
		"array": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`[{"code":"35223","nom":"Plélan-le-Grand"}]`))
		},
		"bad geometry": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"35223"},"geometry":{"type":"Polygon","coordinates":[[[1]]]}}]}`))
		},
		"slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(h)
			defer srv.Close()
			c := geoapi.New(srv.URL + "/")
			c.HTTP.Timeout = 100 * time.Millisecond
			if _, err := c.CommuneOutlines(ctx, geoapitest.Broceliande); !errors.Is(err, geoapi.ErrUnavailable) {
				t.Errorf("%v, want ErrUnavailable", err)
			}
		})
	}
}

// The client asks for what the real service needs: the EPCI's communes,
// their code, name and outline, as GeoJSON.
func TestCommuneOutlinesRequest(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery
		w.Write([]byte(`{"type":"FeatureCollection","features":[
			{"type":"Feature","properties":{"code":"35223","nom":"Plélan-le-Grand"},"geometry":{"type":"Polygon","coordinates":[[[-2.1,47.9],[-2.0,47.9],[-2.0,48.0],[-2.1,47.9]]]}},
			{"type":"Feature","properties":{"code":"35999","nom":"Sans contour"},"geometry":null}]}`))
	}))
	defer srv.Close()
	out, err := geoapi.New(srv.URL).CommuneOutlines(context.Background(), "243500618")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GET /epcis/243500618/communes?", "fields=code%2Cnom%2Ccontour", "format=geojson", "geometry=contour"} {
		if !strings.Contains(got, want) {
			t.Errorf("request %q lacks %q", got, want)
		}
	}
	if len(out) != 1 || out["35223"].GeoJSON != `{"type":"Polygon","coordinates":[[[-2.1,47.9],[-2.0,47.9],[-2.0,48.0],[-2.1,47.9]]]}` {
		t.Errorf("got %+v", out)
	}
}

func TestRings(t *testing.T) {
	for _, bad := range []string{``, `{}`, `{"type":"Point","coordinates":[1,2]}`, `{"type":"Polygon","coordinates":"x"}`} {
		if _, err := geoapi.Rings(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	rs, err := geoapi.Rings(`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]],[[0.1,0.1],[0.2,0.1],[0.2,0.2],[0.1,0.1]]],[[[5,5],[6,5],[6,6],[5,5]]]]}`)
	if err != nil || len(rs) != 3 || rs[2][1] != [2]float64{6, 5} {
		t.Errorf("got %v, %v", rs, err)
	}
}
