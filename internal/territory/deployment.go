package territory

import "time"

// Phase is where a territory is in the deployment method.
type Phase string

const (
	PhaseContact       Phase = "contact"
	PhaseEngagement    Phase = "engagement"
	PhaseDeploiement   Phase = "deploiement"
	PhaseConsolidation Phase = "consolidation"
	PhaseExploitation  Phase = "exploitation"
)

// Phases lists the phases in order.
var Phases = []Phase{PhaseContact, PhaseEngagement, PhaseDeploiement, PhaseConsolidation, PhaseExploitation}

// Label is the French name of the phase.
func (p Phase) Label() string {
	switch p {
	case PhaseContact:
		return "Contact"
	case PhaseEngagement:
		return "Engagement"
	case PhaseDeploiement:
		return "Déploiement de la journée collaborative"
	case PhaseConsolidation:
		return "Consolidation"
	case PhaseExploitation:
		return "Exploitation"
	}
	return string(p)
}

// Valid reports whether p is one of the phases.
func (p Phase) Valid() bool {
	for _, x := range Phases {
		if x == p {
			return true
		}
	}
	return false
}

// Strategy is the deployment strategy a territory chose.
type Strategy string

const (
	StrategyNone        Strategy = ""
	StrategyGeneraliste Strategy = "generaliste"
	StrategyOutil       Strategy = "outil"
	StrategyReseau      Strategy = "reseau"
)

// Label is the French name of the strategy.
func (s Strategy) Label() string {
	switch s {
	case StrategyGeneraliste:
		return "Généraliste"
	case StrategyOutil:
		return "Outil"
	case StrategyReseau:
		return "Réseau"
	}
	return "À choisir"
}

// Deployment is a territory followed by the hub: an EPCI, its phase and
// strategy.
type Deployment struct {
	EPCI       string
	Phase      Phase
	Strategy   Strategy
	PhaseSince time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}
