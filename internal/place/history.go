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

// Revert undoes the changes of one history entry on the current version
// of a place. A field changed again since that entry is left as it is and
// reported in conflicts, so that a revert never silently overwrites a later
// correction. The result is a new Place; cur is not modified.
func Revert(cur *Place, changes []Change) (reverted *Place, conflicts []string, errs Errors) {
	vals := cur.fieldValues()
	for _, c := range changes {
		if c.Field == "date_maj" {
			continue // a revert is not a confirmation, nor its undoing
		}
		if vals[c.Field] != c.New {
			conflicts = append(conflicts, c.Field)
			continue
		}
		vals[c.Field] = c.Old
	}
	p, errs := FromStandard(func(col string) string { return vals[col] })
	p.ID, p.CreatedAt, p.UpdatedAt, p.DateMaj = cur.ID, cur.CreatedAt, cur.UpdatedAt, cur.DateMaj
	p.EPCI, p.Departement, p.Region = cur.EPCI, cur.Departement, cur.Region
	if vals["pivot"] == "" {
		p.Pivot = ""
	}
	p.ContactNom, p.ContactEmail, p.ContactTelephone, p.Notes = vals["contact_nom"], vals["contact_email"], vals["contact_telephone"], vals["notes"]
	p.Status, p.DuplicateOf = Status(vals["statut"]), vals["doublon_de"]
	for k, v := range vals {
		if key, ok := strings.CutPrefix(k, "extra."); ok && v != "" {
			if p.Extra == nil {
				p.Extra = map[string]string{}
			}
			p.Extra[key] = v
		}
	}
	return p, conflicts, errs
}
