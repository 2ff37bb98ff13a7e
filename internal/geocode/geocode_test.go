package geocode_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"portrea/internal/geocode"
	"portrea/internal/geocode/geocodetest"
)

func TestSearch(t *testing.T) {
	fake := geocodetest.Start(t)
	c := geocode.New(fake.URL)
	res, err := c.Search(context.Background(), "rue des korrigans plélan", 5)
	if err != nil || len(res) != 1 {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	if r := res[0]; r.CityCode != "35223" || r.Lat < 47.9 || r.Lon > -2 || r.Type != "housenumber" {
		t.Errorf("result %+v", r)
	}
	if res, err := c.Search(context.Background(), "ab", 5); err != nil || res != nil || fake.Calls.Load() != 1 {
		t.Errorf("a 2-letter query must not call out: %v %v", res, err)
	}
	if res, err := c.Search(context.Background(), "nulle part", 5); err != nil || len(res) != 0 {
		t.Errorf("no match: %v %v", res, err)
	}
}

func TestSearchUnavailable(t *testing.T) {
	fake := geocodetest.Start(t)
	fake.Down.Store(true)
	c := geocode.New(fake.URL)
	if _, err := c.Search(context.Background(), "Paimpont", 5); !errors.Is(err, geocode.ErrUnavailable) {
		t.Errorf("outage: %v", err)
	}
	c = geocode.New("http://127.0.0.1:1") // nothing listens there
	c.HTTP.Timeout = time.Second
	if _, err := c.Search(context.Background(), "Paimpont", 5); !errors.Is(err, geocode.ErrUnavailable) {
		t.Errorf("unreachable: %v", err)
	}
}
