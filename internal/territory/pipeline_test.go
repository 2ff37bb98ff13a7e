package territory

import (
	"testing"
	"time"
)

func TestOverrun(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	tests := []struct {
		name  string
		phase Phase
		spent time.Duration
		weeks float64
		max   int
		late  bool
	}{
		{"a territory whose engagement phase has lasted 6 weeks is flagged", PhaseEngagement, 6 * week, 6, 4, true},
		{"engagement of 3 weeks is on time", PhaseEngagement, 3 * week, 3, 4, false},
		{"engagement of exactly 4 weeks is on time", PhaseEngagement, 4 * week, 4, 4, false},
		{"engagement one day over 4 weeks is late", PhaseEngagement, 4*week + 24*time.Hour, 29.0 / 7, 4, true},
		{"déploiement of 5 weeks is on time", PhaseDeploiement, 5 * week, 5, 5, false},
		{"déploiement of 6 weeks is late", PhaseDeploiement, 6 * week, 6, 5, true},
		{"consolidation of 2 weeks is on time", PhaseConsolidation, 2 * week, 2, 5, false},
		{"consolidation of 7 weeks is late", PhaseConsolidation, 7 * week, 7, 5, true},
		{"contact is never late", PhaseContact, 52 * week, 52, 0, false},
		{"exploitation is never late", PhaseExploitation, 104 * week, 104, 0, false},
		{"a date in the future counts as no time", PhaseEngagement, -week, 0, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			weeks, max, late := Overrun(tt.phase, now.Add(-tt.spent), now)
			if d := weeks - tt.weeks; d > 1e-9 || d < -1e-9 || max != tt.max || late != tt.late {
				t.Errorf("Overrun(%s, -%v) = %v, %d, %v; want %v, %d, %v", tt.phase, tt.spent, weeks, max, late, tt.weeks, tt.max, tt.late)
			}
		})
	}
	if _, _, late := Overrun(PhaseEngagement, time.Time{}, now); late {
		t.Error("an unknown start date is flagged late")
	}
}

func TestPhaseIndex(t *testing.T) {
	for i, p := range Phases {
		if p.Index() != i {
			t.Errorf("%s.Index() = %d, want %d", p, p.Index(), i)
		}
	}
	if Phase("x").Index() != -1 {
		t.Error("an unknown phase has an index")
	}
}
