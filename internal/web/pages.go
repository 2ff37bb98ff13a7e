package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"portrea/internal/account"
	"portrea/internal/place"
)

//go:embed templates
var templateFiles embed.FS

// pages holds one parsed template set per page, each with the layout.
type pages struct {
	byName map[string]*template.Template
}

func parsePages(as *assets) (*pages, error) {
	funcs := template.FuncMap{
		"asset":      as.url,
		"dateFR":     dateFR,
		"phoneFR":    place.FormatPhone,
		"thousands":  thousands,
		"decimalFR":  decimalFR,
		"fieldLabel": place.FieldLabel,
		"help":       func(f string) string { return fieldHelp[f] },
		"dateTimeFR": dateTimeFR,
		"isHub":      func(u *account.User) bool { return u != nil && u.Role == account.RoleHub },
		// version writes a record's last-change time into a form, to
		// detect a change made meanwhile.
		"version": func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partial_*.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/page_*.html")
	if err != nil {
		return nil, err
	}
	pg := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, n)
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", n, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/page_"), ".html")
		pg.byName[name] = t
	}
	return pg, nil
}

// render executes a page into a buffer first, so that a template error
// gives a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, view any) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.log.Error("render: unknown page", "page", name)
		http.Error(w, "erreur interne", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", view); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "erreur interne", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

var monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// dateFR writes a date the French way: "2 avril 2024".
func dateFR(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, monthsFR[t.Month()-1], t.Year())
}

// dateTimeFR writes a moment in Paris time: "2 avril 2024 à 14 h 05".
func dateTimeFR(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(place.Paris)
	return fmt.Sprintf("%s à %d h %02d", dateFR(t), t.Hour(), t.Minute())
}

// thousands writes an integer with the French thousands separator
// (a narrow no-break space): 100 000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// layoutView is what the layout needs from every page.
type layoutView struct {
	Title string
	Embed bool // no header or footer: the page is framed in a partner's site
	// Back office: the signed-in user, their CSRF token (the logout form
	// needs it on every page) and the current section.
	User *account.User
	CSRF string
	Nav  string
}

// bo is the layout of a back-office page.
func (s *Server) bo(sess *session, title, nav string) layoutView {
	return layoutView{Title: title, User: sess.User, CSRF: sess.CSRF, Nav: nav}
}

type errorView struct {
	layoutView
	Message string
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("page", "path", redactPath(r.URL.Path), "err", err)
	s.render(w, r, http.StatusInternalServerError, "error", errorView{layoutView{Title: "Erreur"}, "Une erreur est survenue de notre côté. Réessayez dans quelques instants."})
}

// decimalFR writes a number the French way with the given decimals:
// "12,5", "1 234".
func decimalFR(x float64, digits int) string {
	s := strconv.FormatFloat(x, 'f', digits, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.Atoi(whole)
	out := thousands(n)
	if n == 0 && strings.HasPrefix(whole, "-") {
		out = "-0"
	}
	if frac != "" {
		out += "," + frac
	}
	return out
}
