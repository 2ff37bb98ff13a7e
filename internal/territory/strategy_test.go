package territory

import (
	"strings"
	"testing"
)

func TestRecommendStrategy(t *testing.T) {
	rate := func(gov, net, ori, tools Level) Assessment {
		return Assessment{FactorGovernance: {Level: gov}, FactorNetwork: {Level: net}, FactorOrientations: {Level: ori}, FactorTools: {Level: tools}}
	}
	const A, E, P, S = LevelAbsent, LevelEmerging, LevelPresent, LevelSolid
	tests := []struct {
		name   string
		a      Assessment
		want   Strategy
		reason string // a fragment of the first reason
	}{
		{"nothing rated", Assessment{}, StrategyReseau, "réseau d'acteurs est absent"},
		{"no network", rate(S, A, S, S), StrategyReseau, "réseau d'acteurs est absent"},
		{"emerging network beats strong governance and weak tools", rate(S, E, P, A), StrategyReseau, "est émergent"},
		{"governance and network, no tools", rate(P, P, A, A), StrategyOutil, "gouvernance locale présente"},
		{"solid governance and network, emerging tools", rate(S, S, S, E), StrategyOutil, "territoire est piloté"},
		{"network and tools present", rate(P, P, P, P), StrategyGeneraliste, "tenir lui-même ses données"},
		{"everything solid", rate(S, S, S, S), StrategyGeneraliste, "réseau d'acteurs est solide"},
		{"network without governance nor tools", rate(E, S, A, A), StrategyGeneraliste, "réseau d'acteurs est solide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reasons := Recommend(tt.a)
			if got != tt.want {
				t.Fatalf("Recommend = %s, want %s (%v)", got, tt.want, reasons)
			}
			if len(reasons) < 2 || !strings.Contains(reasons[0], tt.reason) {
				t.Errorf("reasons %q, want the first to mention %q", reasons, tt.reason)
			}
			last := reasons[len(reasons)-1]
			if !strings.Contains(last, "orientations stratégiques") {
				t.Errorf("the orientations are not named: %q", reasons)
			}
		})
	}
}

func TestStrategyWorkloadAndSupport(t *testing.T) {
	for _, tt := range []struct {
		s          Strategy
		animation  int
		supportHas string
	}{
		{StrategyGeneraliste, 8, "ateliers d'exploitation"},
		{StrategyOutil, 5, "pré-remplissage"},
		{StrategyReseau, 7, "échange de pratiques"},
	} {
		w := tt.s.Workload()
		if w.Census != 1 || w.Animation != tt.animation || w.Total() != 1+tt.animation {
			t.Errorf("%s: workload %+v", tt.s, w)
		}
		if !strings.Contains(strings.Join(tt.s.Support(), "\n"), tt.supportHas) {
			t.Errorf("%s: support %q lacks %q", tt.s, tt.s.Support(), tt.supportHas)
		}
		if len(tt.s.FacilitationSteps()) < 4 || len(tt.s.Slides()) < 5 || tt.s.Purpose() == "" {
			t.Errorf("%s: method incomplete", tt.s)
		}
	}
	if StrategyOutil.Slides()[3] == StrategyReseau.Slides()[3] {
		t.Error("the slides of outil and réseau should differ")
	}
	if (StrategyNone.Workload() != Workload{}) || StrategyNone.Valid() {
		t.Error("no strategy has no workload")
	}
}
