package store_test

import (
	"reflect"
	"testing"
	"time"

	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

func TestContours(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		const (
			plelan   = `{"type":"Polygon","coordinates":[[[-2.1,47.98],[-2.06,47.98],[-2.06,48.02],[-2.1,47.98]]]}`
			paimpont = `{"type":"MultiPolygon","coordinates":[[[[-2.2,48],[-2.13,48],[-2.13,48.05],[-2.2,48]]]]}`
		)
		got, oldest, err := st.Contours(ctx, []string{"35223"})
		if err != nil || len(got) != 0 || !oldest.IsZero() {
			t.Fatalf("empty store: %v, %v, %v", got, oldest, err)
		}

		first := testNow.Add(-30 * 24 * time.Hour)
		if err := st.SaveContours(ctx, map[string]string{"35223": plelan, "35211": paimpont}, first); err != nil {
			t.Fatal(err)
		}
		got, oldest, err = st.Contours(ctx, []string{"35223", "35211", "35037"})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]string{"35223": plelan, "35211": paimpont}; !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if !oldest.Equal(first) || oldest.Location() != time.UTC {
			t.Errorf("oldest %v, want %v", oldest, first)
		}

		// Fetching again replaces one outline; the other stays the oldest.
		moved := `{"type":"Polygon","coordinates":[[[-2.11,47.98],[-2.06,47.98],[-2.06,48.02],[-2.11,47.98]]]}`
		if err := st.SaveContours(ctx, map[string]string{"35223": moved}, testNow.In(time.FixedZone("CET", 3600))); err != nil {
			t.Fatal(err)
		}
		got, oldest, err = st.Contours(ctx, []string{"35223"})
		if err != nil || got["35223"] != moved || !oldest.Equal(testNow) {
			t.Errorf("after update: %v, %v, %v", got, oldest, err)
		}
		if _, oldest, _ = st.Contours(ctx, []string{"35223", "35211"}); !oldest.Equal(first) {
			t.Errorf("oldest of both %v, want %v", oldest, first)
		}
		if got, _, err := st.Contours(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("no codes: %v, %v", got, err)
		}
		if err := st.SaveContours(ctx, nil, testNow); err != nil {
			t.Errorf("saving nothing: %v", err)
		}

		// PostgreSQL refuses NUL in text: one bad outline saves none.
		if st.Engine() == "postgres" {
			err := st.SaveContours(ctx, map[string]string{"35037": plelan, "35340": "bad\x00"}, testNow)
			if err == nil {
				t.Fatal("a NUL byte was stored")
			}
			if got, _, _ := st.Contours(ctx, []string{"35037"}); len(got) != 0 {
				t.Errorf("a failed save kept %v", got)
			}
		}
	})
}
