// Package report owns the errors the public reports on a place ("Signaler
// une erreur"): their categories, as on the national map, and their
// validation. Reports go to the referent of the place's territory.
package report

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"portrea/internal/place"
)

// Category is what the report is about.
type Category struct{ Code, Label string }

// Categories are the national map's, in its order.
var Categories = []Category{
	{"horaires", "Horaires"},
	{"services", "Services proposés"},
	{"adresse", "Adresse"},
	{"contacts", "Contacts"},
	{"accompagnements", "Accompagnements"},
	{"labels", "Labels"},
	{"public", "Public"},
	{"n-existe-plus", "Le lieu n'existe plus"},
}

// MaxMessage is the length limit of the free text, in characters.
const MaxMessage = 1000

// Status of a report in the referent's queue.
const (
	StatusNew      = "nouveau"
	StatusHandled  = "traite" // the referent corrected the place or found it right
	StatusRejected = "rejete" // the report was wrong or abusive
)

// StatusLabels are the French names of the statuses.
var StatusLabels = map[string]string{StatusNew: "À traiter", StatusHandled: "Traité", StatusRejected: "Rejeté"}

// Report is one error report.
type Report struct {
	ID         string
	PlaceID    string
	EPCI       string
	Categories []string // codes
	Message    string
	Email      string // optional, private: to answer the person
	Status     string
	CreatedAt  time.Time
}

// Check validates a report as typed by a member of the public and returns
// the problems in French, one per field.
func (r *Report) Check() place.Errors {
	var e place.Errors
	r.Message = strings.TrimSpace(r.Message)
	r.Email = strings.ToLower(strings.TrimSpace(r.Email))
	known := map[string]bool{}
	for _, c := range Categories {
		known[c.Code] = true
	}
	for _, c := range r.Categories {
		if !known[c] {
			e = append(e, place.FieldError{Field: "categories", Message: fmt.Sprintf("catégorie « %s » inconnue", c)})
		}
	}
	if len(r.Categories) == 0 && r.Message == "" {
		e = append(e, place.FieldError{Field: "categories", Message: "cochez ce qui est erroné ou décrivez l'erreur"})
	}
	if n := utf8.RuneCountInString(r.Message); n > MaxMessage {
		e = append(e, place.FieldError{Field: "message", Message: fmt.Sprintf("trop long : %d caractères pour %d au plus", n, MaxMessage)})
	}
	if r.Email != "" {
		if err := place.CheckEmail(r.Email); err != nil {
			e = append(e, place.FieldError{Field: "email", Message: err.Error()})
		}
	}
	return e
}

// Label gives the French label of a category code.
func Label(code string) string {
	for _, c := range Categories {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}
