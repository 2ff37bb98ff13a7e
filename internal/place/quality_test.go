package place

import (
	"reflect"
	"testing"
	"time"
)

func TestCompleteness(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *Place)
		want int
	}{
		{"complete", func(p *Place) {}, 100},
		{"empty", func(p *Place) { *p = Place{} }, 0},
		{"only a name", func(p *Place) { *p = Place{Nom: "Mairie"} }, 5},                              // 2/41
		{"no coordinates", func(p *Place) { p.HasCoords = false }, 95},                                // 39/41
		{"no source", func(p *Place) { p.Source = "" }, 98},                                           // 40/41
		{"blank phone", func(p *Place) { p.Telephone = "  " }, 95},                                    // 39/41
		{"summary alone presents", func(p *Place) { p.Detail = "" }, 100},                             // either presentation
		{"no presentation", func(p *Place) { p.Resume, p.Detail = "", "" }, 95},                       // 39/41
		{"empty list items", func(p *Place) { p.Courriels = []string{""}; p.Services = 0 }, 90},       // 37/41
		{"coordinates count without a value", func(p *Place) { p.Latitude, p.Longitude = 0, 0 }, 100}, // HasCoords rules
		{"private fields do not count", func(p *Place) { p.ContactNom, p.Notes, p.Pivot = "", "", "" }, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.edit(p)
			if got := Completeness(p); got != tt.want {
				t.Errorf("Completeness = %d, want %d (missing %q)", got, tt.want, MissingFields(p))
			}
		})
	}
}

func TestMissingFields(t *testing.T) {
	if got := MissingFields(valid()); got != nil {
		t.Errorf("complete place misses %q", got)
	}
	p := valid()
	p.Horaires, p.Telephone, p.HasCoords, p.Source = "", "", false, ""
	p.DateMaj = time.Time{}
	want := []string{"Téléphone", "Horaires", "Date de mise à jour", "Géolocalisation", "Structure collectant la donnée"}
	if got := MissingFields(p); !reflect.DeepEqual(got, want) {
		t.Errorf("MissingFields = %q, want %q", got, want)
	}
	if got := MissingFields(&Place{}); len(got) != len(completenessFields) {
		t.Errorf("empty place misses %d fields, want %d", len(got), len(completenessFields))
	}
}

func TestCompletenessWeights(t *testing.T) {
	// 18 fields of weight 2 and 5 of weight 1 (latitude and longitude as one entry of 2).
	if completenessTotal != 41 {
		t.Errorf("total weight = %d, want 41", completenessTotal)
	}
}

func TestFreshnessOf(t *testing.T) {
	confirmed := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	paris := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, Paris) }
	tests := []struct {
		name    string
		dateMaj time.Time
		now     time.Time
		want    Freshness
	}{
		{"never confirmed", time.Time{}, paris(2026, 3, 15, 12), FreshUnknown},
		{"same day", confirmed, paris(2026, 3, 15, 12), Fresh},
		{"in the future", confirmed, paris(2026, 1, 1, 12), Fresh},
		{"last fresh day", confirmed, paris(2026, 9, 14, 23), Fresh},
		{"six months", confirmed, paris(2026, 9, 15, 0), Aging},
		// 22:30 UTC on the 14th is already the 15th in Paris.
		{"French calendar day", confirmed, time.Date(2026, 9, 14, 22, 30, 0, 0, time.UTC), Aging},
		{"two years", confirmed, paris(2028, 3, 15, 23), Aging},
		{"two years and a day", confirmed, paris(2028, 3, 16, 0), Stale},
		{"time of day ignored", confirmed.Add(20 * time.Hour), paris(2026, 9, 14, 12), Fresh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FreshnessOf(tt.dateMaj, tt.now); got != tt.want {
				t.Errorf("FreshnessOf(%v, %v) = %v, want %v", tt.dateMaj, tt.now, got, tt.want)
			}
		})
	}
}

func TestFreshnessLabels(t *testing.T) {
	tests := []struct {
		f            Freshness
		label, class string
	}{
		{FreshUnknown, "Jamais confirmée", "unknown"},
		{Fresh, "À jour", "fresh"},
		{Aging, "À vérifier", "aging"},
		{Stale, "Ancienne", "stale"},
	}
	for _, tt := range tests {
		if got := tt.f.Label(); got != tt.label {
			t.Errorf("%d.Label() = %q, want %q", tt.f, got, tt.label)
		}
		if got := tt.f.Class(); got != tt.class {
			t.Errorf("%d.Class() = %q, want %q", tt.f, got, tt.class)
		}
	}
}
