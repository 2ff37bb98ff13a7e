package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Credential is a back-office sign-in.
type Credential struct{ Email, Password string }

// Config is one load run.
type Config struct {
	BaseURL  string
	Users    int
	Duration time.Duration
	// ThinkMax bounds the random pause of a user between two requests.
	ThinkMax time.Duration
	// EditorShare is the fraction of users who are referents editing.
	EditorShare float64
	Referents   []Credential
	Timeout     time.Duration
	Seed        uint64
}

// placeInfo is what the simulated users know of a published place, from the
// public API.
type placeInfo struct {
	ID         string   `json:"id"`
	Nom        string   `json:"nom"`
	CodePostal string   `json:"code_postal"`
	Commune    string   `json:"commune"`
	CodeInsee  string   `json:"code_insee"`
	EPCI       string   `json:"epci"`
	Latitude   *float64 `json:"latitude"`
	Longitude  *float64 `json:"longitude"`
	Services   []string `json:"services"`
}

// catalog is what the users browse, discovered once before the run.
type catalog struct {
	places   []placeInfo
	services []string
	communes []placeInfo // one place per commune, for its INSEE code and name
	epcis    []string

	// The bounding box of the places, where the map opens.
	minLon, minLat, maxLon, maxLat float64
}

// referent is a signed-in back-office account: its session is shared by
// the simulated editors of that account (logins are rate-limited).
type referent struct {
	email  string
	cookie string
	places []string // ids of the places its list shows
}

// searchWords are what people type in the directory's search box.
var searchWords = []string{"mairie", "médiathèque", "france services", "espace numérique", "cyber", "centre social",
	"bibliothèque", "emmaüs", "association", "numérique", "ccas", "mediatheque"}

// client sends the requests of the simulated users and records them.
type client struct {
	base string
	http *http.Client
	rec  *recorder
}

func newClient(cfg Config, rec *recorder) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// One keep-alive connection per user: the default (2 per host) would
	// open and close a connection for most requests and exhaust the
	// loopback's ephemeral ports.
	tr.MaxIdleConns = 2*cfg.Users + 10
	tr.MaxIdleConnsPerHost = 2*cfg.Users + 10
	return &client{base: strings.TrimRight(cfg.BaseURL, "/"), rec: rec, http: &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		// Redirects are checked, not followed: a 303 after a save is the answer.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// reply is a response read to its end.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// errCheck is a response that does not say what it should.
type errCheck struct{ msg string }

func (e errCheck) Error() string { return e.msg }

// do sends one request and records it under route. want is the expected
// status; check, if set, inspects the answer. Any failure is an error of
// the run.
func (c *client) do(ctx context.Context, kind, route, method, path string, form url.Values, cookie string, want int, check func(*reply) error) (*reply, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "portrea-load")
	req.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.base)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	var rep *reply
	if err == nil {
		var b []byte
		b, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		rep = &reply{status: resp.StatusCode, header: resp.Header, body: b}
	}
	d := time.Since(start)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err() // interrupted: not a measure
	}
	switch {
	case err != nil:
	case rep.status != want:
		err = errCheck{fmt.Sprintf("%s %s: status %d, want %d%s", method, path, rep.status, want, excerpt(rep.body))}
	case check != nil:
		if cerr := check(rep); cerr != nil {
			err = errCheck{fmt.Sprintf("%s %s: %v", method, path, cerr)}
		}
	}
	c.rec.record(kind, route, d, err)
	return rep, err
}

// excerpt shows the start of an error page, for the report.
func excerpt(b []byte) string {
	s := string(b)
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// htmlPage checks a complete HTML page, and that it contains every want.
func htmlPage(want ...string) func(*reply) error {
	return func(r *reply) error {
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			return fmt.Errorf("content type %q, want HTML", ct)
		}
		b := string(r.body)
		if !strings.Contains(b, "</html>") {
			return errors.New("page cut short (no </html>)")
		}
		for _, w := range want {
			if !strings.Contains(b, w) {
				return fmt.Errorf("page lacks %q", w)
			}
		}
		return nil
	}
}

// jsonInto checks a JSON answer and decodes it into v.
func jsonInto(v any) func(*reply) error {
	return func(r *reply) error {
		if ct := r.header.Get("Content-Type"); !strings.Contains(ct, "json") {
			return fmt.Errorf("content type %q, want JSON", ct)
		}
		if err := json.Unmarshal(r.body, v); err != nil {
			return fmt.Errorf("invalid JSON: %v", err)
		}
		return nil
	}
}

type listAnswer struct {
	Total int         `json:"total"`
	Items []placeInfo `json:"items"`
}

func checkList(out *listAnswer) func(*reply) error {
	return func(r *reply) error {
		*out = listAnswer{}
		if err := jsonInto(out)(r); err != nil {
			return err
		}
		if out.Items == nil || out.Total < len(out.Items) {
			return fmt.Errorf("list: total %d, %d items", out.Total, len(out.Items))
		}
		return nil
	}
}

// discover reads the published places the users will browse.
func discover(ctx context.Context, c *client) (*catalog, error) {
	var l listAnswer
	if _, err := c.do(ctx, "", "setup", "GET", "/api/v1/lieux?limit=1000", nil, "", 200, checkList(&l)); err != nil {
		return nil, fmt.Errorf("discover places: %w", err)
	}
	cat := &catalog{minLon: 180, minLat: 90, maxLon: -180, maxLat: -90}
	services, communes, epcis := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, p := range l.Items {
		if p.Latitude == nil || p.Longitude == nil {
			continue
		}
		cat.places = append(cat.places, p)
		cat.minLon, cat.maxLon = math.Min(cat.minLon, *p.Longitude), math.Max(cat.maxLon, *p.Longitude)
		cat.minLat, cat.maxLat = math.Min(cat.minLat, *p.Latitude), math.Max(cat.maxLat, *p.Latitude)
		for _, s := range p.Services {
			if !services[s] {
				services[s] = true
				cat.services = append(cat.services, s)
			}
		}
		if p.CodeInsee != "" && !communes[p.CodeInsee] {
			communes[p.CodeInsee] = true
			cat.communes = append(cat.communes, p)
		}
		if p.EPCI != "" && !epcis[p.EPCI] {
			epcis[p.EPCI] = true
			cat.epcis = append(cat.epcis, p.EPCI)
		}
	}
	if len(cat.places) == 0 || len(cat.services) == 0 {
		return nil, errors.New("discover places: the server publishes no place with a position and services (start it with --demo)")
	}
	return cat, nil
}

// login signs a referent in once and lists the places it may edit.
func login(ctx context.Context, c *client, cred Credential) (*referent, error) {
	rep, err := c.do(ctx, "", "setup", "GET", "/connexion", nil, "", 200, htmlPage())
	if err != nil {
		return nil, fmt.Errorf("login %s: %w", cred.Email, err)
	}
	jeton := firstMatch(jetonRe, string(rep.body))
	form := url.Values{"email": {cred.Email}, "mot_de_passe": {cred.Password}, "jeton": {jeton}, "retour": {"/gestion"}}
	rep, err = c.do(ctx, "", "setup", "POST", "/connexion", form, "", http.StatusSeeOther, nil)
	if err != nil {
		return nil, fmt.Errorf("login %s: %w", cred.Email, err)
	}
	ref := &referent{email: cred.Email}
	for _, ck := range (&http.Response{Header: rep.header}).Cookies() {
		if ck.Name == "portrea_session" && ck.Value != "" {
			ref.cookie = ck.Name + "=" + ck.Value
		}
	}
	if ref.cookie == "" {
		return nil, fmt.Errorf("login %s: no session cookie", cred.Email)
	}
	rep, err = c.do(ctx, "", "setup", "GET", "/gestion/lieux", nil, ref.cookie, 200, htmlPage())
	if err != nil {
		return nil, fmt.Errorf("login %s: place list: %w", cred.Email, err)
	}
	seen := map[string]bool{"nouveau": true, "export": true}
	for _, m := range editRe.FindAllStringSubmatch(string(rep.body), -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			ref.places = append(ref.places, m[1])
		}
	}
	if len(ref.places) == 0 {
		return nil, fmt.Errorf("login %s: the account has no place to edit", cred.Email)
	}
	return ref, nil
}

// Run simulates cfg.Users users against a running server for cfg.Duration
// and returns what they measured. Setup failures (no place, a login
// refused) are returned as errors; request failures during the run are
// counted in the result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Users < 1 {
		return nil, errors.New("at least one user")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	setup := newClient(cfg, nil)
	cat, err := discover(ctx, setup)
	if err != nil {
		return nil, err
	}
	editors := 0
	var refs []*referent
	if cfg.EditorShare > 0 && len(cfg.Referents) > 0 {
		editors = max(1, int(math.Round(float64(cfg.Users)*cfg.EditorShare)))
		editors = min(editors, cfg.Users)
		for _, cred := range cfg.Referents {
			r, err := login(ctx, setup, cred)
			if err != nil {
				return nil, err
			}
			refs = append(refs, r)
		}
	}
	setup.http.CloseIdleConnections()
	// Each editor owns one place (the accounts taken in turn), so that two
	// simulated people never edit the same place: a save over another's
	// change is refused (409), as it should be. With fewer places than
	// editors, there are fewer editors.
	type owned struct {
		ref   *referent
		place string
	}
	var owners []owned
	for k := 0; len(owners) < editors; k++ {
		added := false
		for _, r := range refs {
			if k < len(r.places) && len(owners) < editors {
				owners, added = append(owners, owned{r, r.places[k]}), true
			}
		}
		if !added {
			break
		}
	}
	editors = len(owners)

	rec := newRecorder()
	c := newClient(cfg, rec)
	res := &Result{Target: c.base, Users: cfg.Users, Editors: editors, Duration: cfg.Duration, ThinkMax: cfg.ThinkMax, Edits: map[string]string{}}
	var editsMu sync.Mutex
	saved := func(id, marker string) {
		editsMu.Lock()
		res.Edits[id] = marker
		res.Saves++
		editsMu.Unlock()
	}

	start := time.Now()
	end := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for i := range cfg.Users {
		u := &user{n: i, c: c, cat: cat, end: end, think: cfg.ThinkMax,
			rnd: rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1))}
		if i < editors {
			u.ref, u.editPlace, u.saved = owners[i].ref, owners[i].place, saved
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			u.run(ctx)
		}()
	}
	wg.Wait()
	c.http.CloseIdleConnections()
	rec.summarize(res, time.Since(start))
	return res, ctx.Err()
}

// user is one simulated person.
type user struct {
	n     int
	c     *client
	cat   *catalog
	rnd   *rand.Rand
	end   time.Time
	think time.Duration
	// Referents only.
	ref       *referent
	editPlace string
	editCount int
	saved     func(id, marker string)
	assets    bool // static files fetched once, then cached as a browser does
}

// done says whether the run is over for this user.
func (u *user) done(ctx context.Context) bool { return ctx.Err() != nil || time.Now().After(u.end) }

// pause waits a random think time; false when the run is over.
func (u *user) pause(ctx context.Context) bool {
	if u.think > 0 {
		t := time.NewTimer(time.Duration(u.rnd.Int64N(int64(u.think) + 1)))
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
	return !u.done(ctx)
}

func (u *user) run(ctx context.Context) {
	for !u.done(ctx) {
		if u.ref != nil {
			u.edit(ctx)
		} else {
			switch x := u.rnd.IntN(100); {
			case x < 40:
				u.browseMap(ctx)
			case x < 65:
				u.search(ctx)
			case x < 88:
				u.viewSheet(ctx, u.randomPlace())
			default:
				u.orient(ctx)
			}
		}
		u.pause(ctx)
	}
}

func (u *user) randomPlace() placeInfo { return u.cat.places[u.rnd.IntN(len(u.cat.places))] }

func (u *user) pick(s []string) string { return s[u.rnd.IntN(len(s))] }

// bbox is a view of the map around a point, in degrees.
func bbox(lat, lon, halfWidth float64) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 5, 64) }
	h := halfWidth * 0.6
	return f(lon-halfWidth) + "," + f(lat-h) + "," + f(lon+halfWidth) + "," + f(lat+h)
}

// home opens the map page, with its static files on the first visit.
func (u *user) home(ctx context.Context, kind, route, query string) bool {
	rep, err := u.c.do(ctx, kind, route, "GET", "/"+query, nil, "", 200, htmlPage("Lieux d'inclusion num"))
	if err != nil {
		return false
	}
	if !u.assets {
		u.assets = true
		seen := map[string]bool{}
		for _, m := range staticRe.FindAllStringSubmatch(string(rep.body), -1) {
			if p := html.UnescapeString(m[1]); !seen[p] {
				seen[p] = true
				if _, err := u.c.do(ctx, kindStatic, "GET /static/{hash}/{path...}", "GET", p, nil, "", 200, nil); err != nil {
					return false
				}
			}
		}
	}
	return true
}

// browseMap opens the map and moves it around, as map.js asks the server
// at each move: the clusters of the view and the list beside the map.
func (u *user) browseMap(ctx context.Context) {
	cat := u.cat
	lat, lon := (cat.minLat+cat.maxLat)/2, (cat.minLon+cat.maxLon)/2
	half := math.Max(0.1, (cat.maxLon-cat.minLon)/2)
	zoom := 10
	filters := url.Values{}
	if u.rnd.IntN(3) == 0 {
		filters.Set("services", u.pick(cat.services))
	}
	if u.rnd.IntN(5) == 0 {
		filters.Set("ouvert", "maintenant")
	}
	if !u.home(ctx, kindMap, "GET /", "") || !u.pause(ctx) {
		return
	}
	for moves := 1 + u.rnd.IntN(4); moves > 0; moves-- {
		mq := cloneValues(filters)
		mq.Set("bbox", bbox(lat, lon, half))
		mq.Set("zoom", strconv.Itoa(zoom))
		var cl struct {
			Total    *int              `json:"total"`
			Clusters []json.RawMessage `json:"clusters"`
		}
		if _, err := u.c.do(ctx, kindMap, "GET /api/v1/carte", "GET", "/api/v1/carte?"+mq.Encode(), nil, "", 200, func(r *reply) error {
			cl.Total = nil
			if err := jsonInto(&cl)(r); err != nil {
				return err
			}
			if cl.Total == nil {
				return errors.New("no total")
			}
			return nil
		}); err != nil {
			return
		}
		lq := cloneValues(filters)
		lq.Set("bbox", bbox(lat, lon, half))
		lq.Set("limit", "20")
		lq.Set("offset", "0")
		var l listAnswer
		if _, err := u.c.do(ctx, kindMap, "GET /api/v1/lieux", "GET", "/api/v1/lieux?"+lq.Encode(), nil, "", 200, checkList(&l)); err != nil {
			return
		}
		if l.Total > 20 && u.rnd.IntN(3) == 0 { // "Afficher plus"
			lq.Set("offset", "20")
			if _, err := u.c.do(ctx, kindMap, "GET /api/v1/lieux", "GET", "/api/v1/lieux?"+lq.Encode(), nil, "", 200, checkList(&l)); err != nil {
				return
			}
		}
		if !u.pause(ctx) {
			return
		}
		// Zoom in on a place, or pan.
		p := u.randomPlace()
		lat, lon = *p.Latitude, *p.Longitude
		if zoom < 16 {
			zoom += 1 + u.rnd.IntN(2)
			half /= 2 + 2*u.rnd.Float64()
		}
	}
	if u.rnd.IntN(4) == 0 {
		// A partner's application reads the whole territory as GeoJSON.
		q := cloneValues(filters)
		q.Set("epci", u.pick(cat.epcis))
		var fc struct {
			Type     string            `json:"type"`
			Features []json.RawMessage `json:"features"`
		}
		if _, err := u.c.do(ctx, kindMap, "GET /api/v1/lieux.geojson", "GET", "/api/v1/lieux.geojson?"+q.Encode(), nil, "", 200, func(r *reply) error {
			if err := jsonInto(&fc)(r); err != nil {
				return err
			}
			if fc.Type != "FeatureCollection" {
				return fmt.Errorf("type %q", fc.Type)
			}
			return nil
		}); err != nil {
			return
		}
	}
	if u.rnd.IntN(2) == 0 && u.pause(ctx) {
		u.viewSheet(ctx, u.randomPlace())
	}
}

// search uses the directory's search: the page without JavaScript and the
// API the list calls, by word, commune and service.
func (u *user) search(ctx context.Context) {
	cat := u.cat
	q := url.Values{}
	switch u.rnd.IntN(4) {
	case 0:
		q.Set("q", u.pick(searchWords))
	case 1:
		c := cat.communes[u.rnd.IntN(len(cat.communes))]
		q.Set("q", c.Commune)
	case 2:
		c := cat.communes[u.rnd.IntN(len(cat.communes))]
		q.Set("commune", c.CodeInsee)
		q.Set("services", u.pick(cat.services))
	default:
		q.Set("q", u.pick(searchWords))
		q.Set("services", u.pick(cat.services))
	}
	if u.rnd.IntN(2) == 0 {
		if !u.home(ctx, kindSearch, "GET /?q=… (annuaire)", "?"+q.Encode()) {
			return
		}
		if !u.pause(ctx) {
			return
		}
	}
	q.Set("limit", "20")
	var l listAnswer
	if _, err := u.c.do(ctx, kindSearch, "GET /api/v1/lieux?q=…", "GET", "/api/v1/lieux?"+q.Encode(), nil, "", 200, checkList(&l)); err != nil {
		return
	}
	if len(l.Items) > 0 && u.pause(ctx) {
		u.viewSheet(ctx, l.Items[u.rnd.IntN(len(l.Items))])
	}
}

// viewSheet opens a place's public sheet, sometimes its API record too.
func (u *user) viewSheet(ctx context.Context, p placeInfo) {
	if _, err := u.c.do(ctx, kindSheet, "GET /lieux/{id}", "GET", "/lieux/"+url.PathEscape(p.ID), nil, "", 200,
		htmlPage(html.EscapeString(p.Nom))); err != nil {
		return
	}
	if u.rnd.IntN(4) == 0 {
		var got placeInfo
		u.c.do(ctx, kindSheet, "GET /api/v1/lieux/{id}", "GET", "/api/v1/lieux/"+url.PathEscape(p.ID), nil, "", 200, func(r *reply) error {
			if err := jsonInto(&got)(r); err != nil {
				return err
			}
			if got.ID != p.ID {
				return fmt.Errorf("id %q, want %q", got.ID, p.ID)
			}
			return nil
		})
	}
}

// orient walks the orientation mode: need, where (a commune name, which
// the server resolves without the geocoder), then the ranked places.
func (u *user) orient(ctx context.Context) {
	const route = "GET /orientation"
	if _, err := u.c.do(ctx, kindOrientation, route, "GET", "/orientation", nil, "", 200, htmlPage()); err != nil || !u.pause(ctx) {
		return
	}
	q := url.Values{"etape": {"2"}, "services": {u.pick(u.cat.services)}}
	if _, err := u.c.do(ctx, kindOrientation, route, "GET", "/orientation?"+q.Encode(), nil, "", 200, htmlPage()); err != nil || !u.pause(ctx) {
		return
	}
	p := u.randomPlace()
	q.Set("ou", p.Commune)
	q.Set("rayon", u.pick([]string{"5", "10", "20"}))
	q.Set("etape", "5")
	if u.rnd.IntN(2) == 0 {
		q.Set("autour", strconv.FormatFloat(*p.Latitude, 'f', 5, 64)+","+strconv.FormatFloat(*p.Longitude, 'f', 5, 64))
		q.Set("lieu", p.Commune)
	}
	u.c.do(ctx, kindOrientation, route, "GET", "/orientation?"+q.Encode(), nil, "", 200, htmlPage())
}

// loadMarker starts the line an editor keeps up to date in its place's
// private notes.
const loadMarker = "[test de charge]"

// edit is a referent's visit: sometimes the dashboard and the list, then
// the editor of its own place, a small change saved, the confirmation.
func (u *user) edit(ctx context.Context) {
	cookie := u.ref.cookie
	if u.rnd.IntN(4) == 0 {
		if _, err := u.c.do(ctx, kindEdit, "GET /gestion", "GET", "/gestion", nil, cookie, 200, htmlPage()); err != nil || !u.pause(ctx) {
			return
		}
		if _, err := u.c.do(ctx, kindEdit, "GET /gestion/lieux", "GET", "/gestion/lieux", nil, cookie, 200, htmlPage()); err != nil || !u.pause(ctx) {
			return
		}
	}
	path := "/gestion/lieux/" + url.PathEscape(u.editPlace)
	var form url.Values
	if _, err := u.c.do(ctx, kindEdit, "GET /gestion/lieux/{id}", "GET", path, nil, cookie, 200, func(r *reply) error {
		if err := htmlPage()(r); err != nil {
			return err
		}
		var err error
		if form, err = extractForm(string(r.body), path); err != nil {
			return err
		}
		if form.Get("csrf") == "" {
			return errors.New("editor form without CSRF token")
		}
		return nil
	}); err != nil || !u.pause(ctx) {
		return
	}
	u.editCount++
	marker := fmt.Sprintf("%s éditeur %d, enregistrement %d", loadMarker, u.n, u.editCount)
	form.Set("notes", withMarker(form.Get("notes"), marker))
	if u.rnd.IntN(3) == 0 {
		form.Set("au_nom", "oui")
	}
	rep, err := u.c.do(ctx, kindEdit, "POST /gestion/lieux/{id}", "POST", path, form, cookie, http.StatusSeeOther, func(r *reply) error {
		if loc := r.header.Get("Location"); !strings.Contains(loc, "ok=enregistre") {
			return fmt.Errorf("redirected to %q, not to the saved editor", loc)
		}
		return nil
	})
	if err != nil {
		return
	}
	u.saved(u.editPlace, marker)
	u.c.do(ctx, kindEdit, "GET /gestion/lieux/{id}", "GET", rep.header.Get("Location"), nil, cookie, 200,
		htmlPage("Modifications enregistrées", html.EscapeString(marker)))
}

// withMarker replaces the load test's line of the notes, or adds it.
func withMarker(notes, marker string) string {
	notes = strings.ReplaceAll(notes, "\r\n", "\n")
	var keep []string
	for _, l := range strings.Split(notes, "\n") {
		if !strings.HasPrefix(l, loadMarker) {
			keep = append(keep, l)
		}
	}
	if rest := strings.TrimRight(strings.Join(keep, "\n"), "\n "); rest != "" {
		return rest + "\n" + marker
	}
	return marker
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
