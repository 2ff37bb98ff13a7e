package place

import (
	"sort"
	"strings"
	"time"
)

// ActorKind says what changed a place; each change in the history names one.
type ActorKind string

const (
	ActorPerson   ActorKind = "personne"  // a signed-in user of the back office
	ActorImport   ActorKind = "import"    // a file import
	ActorCampaign ActorKind = "campagne"  // an actor's answer through their secure link
	ActorPhone    ActorKind = "telephone" // a referent recording a phone call
	ActorSystem   ActorKind = "systeme"   // the program itself (demo data, migrations)
)

// Actor is who or what made a change: a kind and a name (an e-mail, a file
// name, a campaign id…).
type Actor struct {
	Kind ActorKind
	Name string
}

// Change is one field's before and after, as text.
type Change struct {
	Field string `json:"champ"`
	Old   string `json:"avant,omitempty"`
	New   string `json:"apres,omitempty"`
}

// HistoryEntry is one recorded change of a place.
type HistoryEntry struct {
	ID      int64
	PlaceID string
	At      time.Time
	Actor   Actor
	Summary string // e.g. "création", "modification", "confirmation"
	Changes []Change
}

// Diff lists the fields whose value differs between two versions of a
// place, public and private, including complementary fields ("extra.key").
// old may be nil for a creation.
func Diff(old, cur *Place) []Change {
	if old == nil {
		old = &Place{}
	}
	a, b := old.fieldValues(), cur.fieldValues()
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			keys = append(keys, k)
		}
	}
	order := map[string]int{}
	for i, c := range Columns {
		order[c] = i
	}
	sort.Slice(keys, func(i, j int) bool {
		oi, iok := order[keys[i]]
		oj, jok := order[keys[j]]
		switch {
		case iok && jok:
			return oi < oj
		case iok != jok:
			return iok
		}
		return keys[i] < keys[j]
	})
	var out []Change
	for _, k := range keys {
		if a[k] != b[k] {
			out = append(out, Change{Field: k, Old: a[k], New: b[k]})
		}
	}
	return out
}

func (p *Place) fieldValues() map[string]string {
	m := make(map[string]string, len(Columns)+8+len(p.Extra))
	rec := p.StandardRecord()
	for i, c := range Columns {
		m[c] = rec[i]
	}
	if p.PivotMissing() {
		m["pivot"] = ""
	}
	m["contact_nom"] = p.ContactNom
	m["contact_email"] = p.ContactEmail
	m["contact_telephone"] = p.ContactTelephone
	m["notes"] = p.Notes
	m["statut"] = string(p.Status)
	m["doublon_de"] = p.DuplicateOf
	for k, v := range p.Extra {
		m["extra."+k] = v
	}
	return m
}

// PrivateFields are the fields whose values must never leave the back
// office; history shown outside it masks them.
var PrivateFields = []string{"contact_nom", "contact_email", "contact_telephone", "notes"}

// IsPrivateField reports whether field holds private data.
func IsPrivateField(field string) bool {
	for _, f := range PrivateFields {
		if f == field {
			return true
		}
	}
	return strings.HasPrefix(field, "extra.")
}
