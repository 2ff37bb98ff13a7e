package territory

import "time"

// Observed durations of the phases, in weeks: a phase that lasts longer
// than its maximum is late. Contact and exploitation have no end date.
var phaseWeeks = map[Phase][2]int{
	PhaseEngagement:    {3, 4},
	PhaseDeploiement:   {4, 5},
	PhaseConsolidation: {1, 5},
}

// Expected returns the observed duration of the phase in weeks, and false
// for a phase with no expected end.
func (p Phase) Expected() (min, max int, ok bool) {
	w, ok := phaseWeeks[p]
	return w[0], w[1], ok
}

// Index is the rank of the phase in the journey, from 0; -1 if unknown.
func (p Phase) Index() int {
	for i, x := range Phases {
		if x == p {
			return i
		}
	}
	return -1
}

// Overrun compares the time spent in phase p since since with the
// observed duration: weeks spent, the maximum in weeks (0 when the phase
// has none), and whether the territory is late — over the maximum.
func Overrun(p Phase, since, now time.Time) (weeks float64, max int, late bool) {
	if since.IsZero() || now.Before(since) {
		weeks = 0
	} else {
		weeks = now.Sub(since).Hours() / (24 * 7)
	}
	_, max, ok := p.Expected()
	if !ok {
		return weeks, 0, false
	}
	return weeks, max, weeks > float64(max)
}

// Kinds of entries of a territory's journal.
const (
	JournalPhase    = "phase"    // a phase change; Phase is the new phase
	JournalMeeting  = "reunion"  // the presentation meeting
	JournalDecision = "decision" // the EPCI's decision
	JournalReferent = "referent" // a referent named by the EPCI
)

// JournalKindLabels are the French names of the journal kinds.
var JournalKindLabels = map[string]string{
	JournalPhase:    "Changement de phase",
	JournalMeeting:  "Réunion de présentation",
	JournalDecision: "Décision de l'EPCI",
	JournalReferent: "Référent·e nommé·e",
}

// JournalEntry is one event of a territory's journey.
type JournalEntry struct {
	ID, EPCI, Kind string
	Phase          Phase
	At             time.Time
	By, Note       string
}

// Kinds of organisations declaring a territory's interest.
var OrgKinds = []struct{ Code, Label string }{
	{"epci", "EPCI (intercommunalité)"},
	{"commune", "Commune"},
	{"association", "Association"},
	{"departement", "Département"},
	{"autre", "Autre"},
}

// OrgKindLabel is the French name of an organisation kind.
func OrgKindLabel(code string) string {
	for _, k := range OrgKinds {
		if k.Code == code {
			return k.Label
		}
	}
	return code
}

// Interest is a declaration of interest from the public joining page.
type Interest struct {
	ID, EPCI                    string
	Name, Organisation, OrgKind string
	Email, Phone, Hopes         string
	CreatedAt, HandledAt        time.Time
}
