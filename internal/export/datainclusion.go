package export

import (
	"bufio"
	"encoding/json"
	"io"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"portrea/internal/place"
)

// DataInclusionSource is the `source` of our data·inclusion records, and
// the namespace of their ids ("portrea--<id>").
//
// Why not "mediation-numerique": that is the source under which
// data·inclusion ingests the national dataset of the cartographie
// nationale, which our places also reach through the standard files.
// Claiming it would make our records pass for the national pipeline's and
// collide with them. data·inclusion names each source after the producer
// that sends the file, and the producer here is PORTREA. The local part of
// the id is the place's `id` in the national standard, unchanged (a UUID,
// unique across every PORTREA instance), so data·inclusion can match
// "portrea--X" with the same place arriving through the national dataset.
const DataInclusionSource = "portrea"

// InclusionStructure is a place as a data·inclusion structure (schema
// v1.0.8). Optional fields are left out when unknown or when their value
// would not pass the schema (a malformed e-mail or URL): data·inclusion
// reads a missing field as null.
type InclusionStructure struct {
	Source            string   `json:"source"`
	ID                string   `json:"id"`
	Nom               string   `json:"nom"`
	DateMaj           string   `json:"date_maj"`
	Siret             string   `json:"siret,omitempty"`
	Description       string   `json:"description,omitempty"`
	LienSource        string   `json:"lien_source,omitempty"`
	SiteWeb           string   `json:"site_web,omitempty"`
	Telephone         string   `json:"telephone,omitempty"`
	Courriel          string   `json:"courriel,omitempty"`
	Adresse           string   `json:"adresse,omitempty"`
	ComplementAdresse string   `json:"complement_adresse,omitempty"`
	Commune           string   `json:"commune,omitempty"`
	CodePostal        string   `json:"code_postal,omitempty"`
	CodeInsee         string   `json:"code_insee,omitempty"`
	Latitude          *float64 `json:"latitude,omitempty"`
	Longitude         *float64 `json:"longitude,omitempty"`
	HorairesAccueil   string   `json:"horaires_accueil,omitempty"`
	AccessibiliteLieu string   `json:"accessibilite_lieu,omitempty"`
	ReseauxPorteurs   []string `json:"reseaux_porteurs,omitempty"`
}

// InclusionService is the one service of a place: its digital-mediation
// offer, as data·inclusion does for the national dataset.
type InclusionService struct {
	Source            string   `json:"source"`
	ID                string   `json:"id"`
	StructureID       string   `json:"structure_id"`
	Nom               string   `json:"nom"`
	Description       string   `json:"description"`
	DateMaj           string   `json:"date_maj"`
	Type              string   `json:"type"`
	Thematiques       []string `json:"thematiques,omitempty"`
	Frais             string   `json:"frais"`
	FraisPrecisions   string   `json:"frais_precisions,omitempty"`
	Publics           []string `json:"publics"`
	PublicsPrecisions string   `json:"publics_precisions,omitempty"`
	ModesAccueil      []string `json:"modes_accueil"`
	ModesMobilisation []string `json:"modes_mobilisation,omitempty"`
	LienMobilisation  string   `json:"lien_mobilisation,omitempty"`
	MobilisablePar    []string `json:"mobilisable_par"`
	ZoneEligibilite   []string `json:"zone_eligibilite,omitempty"`
	LienSource        string   `json:"lien_source,omitempty"`
	Telephone         string   `json:"telephone,omitempty"`
	Courriel          string   `json:"courriel,omitempty"`
	Adresse           string   `json:"adresse,omitempty"`
	ComplementAdresse string   `json:"complement_adresse,omitempty"`
	Commune           string   `json:"commune,omitempty"`
	CodePostal        string   `json:"code_postal,omitempty"`
	CodeInsee         string   `json:"code_insee,omitempty"`
	Latitude          *float64 `json:"latitude,omitempty"`
	Longitude         *float64 `json:"longitude,omitempty"`
	HorairesAccueil   string   `json:"horaires_accueil,omitempty"`
}

// ServiceName is the name data·inclusion gives the service of a place of
// the national mediation dataset.
const ServiceName = "Service d'accompagnement au numérique"

// thematiques maps the standard's services to data·inclusion v1
// thématiques (research §4, from data·inclusion's own mapping).
var thematiques = map[string][]string{
	"acces-materiel":     {"numerique--acceder-a-une-connexion-internet", "numerique--acquerir-un-equipement"},
	"materiel-solidaire": {"numerique--acquerir-un-equipement"},
	"aide-demarches":     {"difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives", "numerique--acceder-a-des-services-en-ligne"},
	"comprehension":      {"numerique--maitriser-les-fondamentaux-du-numerique"},
	"insertion-pro":      {"preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi", "numerique--maitriser-les-fondamentaux-du-numerique"},
	"loisirs-creations":  {"remobilisation--activites-sportives-et-culturelles", "numerique--maitriser-les-fondamentaux-du-numerique"},
	"outils-quotidien":   {"numerique--maitriser-les-fondamentaux-du-numerique", "numerique--acceder-a-des-services-en-ligne"},
	"parentalite":        {"famille--soutien-a-la-parentalite-et-a-leducation", "numerique--maitriser-les-fondamentaux-du-numerique"},
	"usage-securise":     {"numerique--maitriser-les-fondamentaux-du-numerique"},
}

// reseaux maps national programmes and labels to data·inclusion's
// "réseaux porteurs"; the others (PIX, BNR, Promeneurs du net…) have no
// counterpart.
var reseaux = map[*place.Vocab]map[string]string{
	place.Dispositifs: {
		"aidants-connect":        "aidants-connect",
		"conseillers-numeriques": "conseillers-numeriques",
		"france-services":        "france-service",
		"emmaus-connect":         "emmaus",
		"relais-emmaus":          "emmaus",
		"croix-rouge":            "croix-rouge",
		"caf":                    "caf",
		"gen":                    "grandes-ecoles-du-numerique",
	},
	place.FormationsLabels: {
		"fabriques-de-territoire": "fabrique-de-territoire",
		"etapes-numeriques":       "la-poste",
	},
}

// publics maps "publics spécifiquement adressés" to data·inclusion publics.
var publics = map[string]string{
	"jeunes": "jeunes", "etudiants": "etudiants", "familles": "familles", "seniors": "seniors", "femmes": "femmes",
}

// handicaps are the "prises en charge spécifiques" of a disability.
var handicaps = map[string]bool{"surdite": true, "handicaps-moteurs": true, "handicaps-mentaux": true, "deficience-visuelle": true}

// modesMobilisation maps "modalités d'accès" to data·inclusion's modes.
var modesMobilisation = map[string]string{
	"se-presenter":       "se-presenter",
	"telephoner":         "telephoner",
	"contacter-par-mail": "envoyer-un-courriel",
	"fiche-prescription": "envoyer-un-courriel",
	"rdv-en-ligne":       "utiliser-lien-mobilisation",
}

// ToDataInclusion maps a place to its data·inclusion structure and
// service (research §4). baseURL is PORTREA's public address: lien_source
// points to the place's public sheet. Only public fields are used.
func ToDataInclusion(p *place.Place, baseURL string) (InclusionStructure, InclusionService) {
	id := DataInclusionSource + "--" + p.ID
	date := ""
	if !p.DateMaj.IsZero() {
		date = p.DateMaj.Format(time.DateOnly)
	}
	link := uri(strings.TrimRight(baseURL, "/") + "/lieux/" + url.PathEscape(p.ID))
	var lat, lon *float64
	if p.HasCoords {
		la, lo := p.Latitude, p.Longitude
		lat, lon = &la, &lo
	}
	cp := ""
	if postcode.MatchString(p.CodePostal) {
		cp = p.CodePostal
	}
	insee := ""
	if inseeCode.MatchString(p.CodeInsee) {
		insee = p.CodeInsee
	}
	courriel := ""
	if len(p.Courriels) > 0 {
		courriel = email(p.Courriels[0])
	}
	site := ""
	for _, s := range p.SitesWeb {
		if site = uri(s); site != "" {
			break
		}
	}
	st := InclusionStructure{
		Source: DataInclusionSource, ID: id, Nom: structureName(p), DateMaj: date,
		Description: description(p), LienSource: link, SiteWeb: site, Telephone: p.Telephone, Courriel: courriel,
		Adresse: p.Adresse, ComplementAdresse: p.ComplementAdresse, Commune: p.Commune, CodePostal: cp, CodeInsee: insee,
		Latitude: lat, Longitude: lon, HorairesAccueil: p.Horaires, AccessibiliteLieu: uri(p.FicheAccesLibre),
	}
	if siret.MatchString(p.Pivot) && !p.PivotMissing() {
		st.Siret = p.Pivot
	}
	for _, v := range []*place.Vocab{place.Dispositifs, place.FormationsLabels} {
		for _, code := range v.Codes(v.SetOf(p)) {
			if r := reseaux[v][code]; r != "" {
				st.ReseauxPorteurs = appendUnique(st.ReseauxPorteurs, r)
			}
		}
	}

	sv := InclusionService{
		Source: DataInclusionSource, ID: id + "--numerique", StructureID: id, Nom: ServiceName,
		Description: serviceDescription(p), DateMaj: date, Type: "accompagnement",
		MobilisablePar: []string{"usagers", "professionnels"}, LienSource: link,
		Telephone: p.Telephone, Courriel: courriel, Adresse: p.Adresse, ComplementAdresse: p.ComplementAdresse,
		Commune: p.Commune, CodePostal: cp, CodeInsee: insee, Latitude: lat, Longitude: lon, HorairesAccueil: p.Horaires,
	}
	for _, code := range place.Services.Codes(p.Services) {
		for _, t := range thematiques[code] {
			sv.Thematiques = appendUnique(sv.Thematiques, t)
		}
	}

	// Frais: free unless the place says it charges and never says it is
	// free; the standard's nuance goes to frais_precisions.
	sv.Frais = "gratuit"
	gratuit := p.Frais.Has(place.Frais.IndexOf("gratuit")) || p.Frais.Has(place.Frais.IndexOf("gratuit-sous-condition"))
	if p.Frais.Has(place.Frais.IndexOf("payant")) && !gratuit {
		sv.Frais = "payant"
	}
	if p.Frais.Len() > 1 || p.Frais.Has(place.Frais.IndexOf("gratuit-sous-condition")) {
		sv.FraisPrecisions = strings.Join(place.Frais.Labels(p.Frais), ", ")
	}

	// Publics. In the standard, publics_specifiquement_adresses is filled
	// only when the place is aimed at those publics; in data·inclusion a
	// person is eligible if they belong to one of the publics. So these
	// map one to one, and no value means "tous-publics". A specific
	// handling (surdité, illettrisme…) says what the place can cope with,
	// not who may come: a place open to all that welcomes deaf people is
	// not reserved to disabled people. It is stated in publics_precisions,
	// and adds "personnes-en-situation-de-handicap" only to a place that
	// already targets specific publics ("tous-publics" mixes with nothing).
	for _, code := range place.Publics.Codes(p.Publics) {
		sv.Publics = appendUnique(sv.Publics, publics[code])
	}
	if len(sv.Publics) > 0 {
		for _, code := range place.PriseEnCharge.Codes(p.PriseEnCharge) {
			if handicaps[code] {
				sv.Publics = appendUnique(sv.Publics, "personnes-en-situation-de-handicap")
			}
		}
	} else {
		sv.Publics = []string{"tous-publics"}
	}
	if p.PriseEnCharge != 0 {
		sv.PublicsPrecisions = "Prise en charge spécifique : " + strings.Join(place.PriseEnCharge.Labels(p.PriseEnCharge), ", ") + "."
	}

	// Modes d'accueil: remote support is "a-distance", the rest happens on
	// site; nothing said means on site.
	for _, code := range place.ModalitesAccompagnement.Codes(p.ModalitesAccompagnement) {
		m := "en-presentiel"
		if code == "a-distance" {
			m = "a-distance"
		}
		sv.ModesAccueil = appendUnique(sv.ModesAccueil, m)
	}
	if len(sv.ModesAccueil) == 0 {
		sv.ModesAccueil = []string{"en-presentiel"}
	}

	// Modes de mobilisation from the modalités d'accès; without any, from
	// the ways to reach the place. A booking link goes with its mode.
	if rdv := uri(p.PriseRdv); rdv != "" {
		sv.LienMobilisation = rdv
	}
	for _, code := range place.ModalitesAcces.Codes(p.ModalitesAcces) {
		m := modesMobilisation[code]
		if m == "" || m == "utiliser-lien-mobilisation" && sv.LienMobilisation == "" {
			continue
		}
		sv.ModesMobilisation = appendUnique(sv.ModesMobilisation, m)
	}
	if len(sv.ModesMobilisation) == 0 && p.ModalitesAcces == 0 {
		if p.Telephone != "" {
			sv.ModesMobilisation = append(sv.ModesMobilisation, "telephoner")
		}
		if courriel != "" {
			sv.ModesMobilisation = append(sv.ModesMobilisation, "envoyer-un-courriel")
		}
		if sv.LienMobilisation != "" {
			sv.ModesMobilisation = append(sv.ModesMobilisation, "utiliser-lien-mobilisation")
		}
	}

	// The service is open to the people of the place's département.
	if p.Departement != "" {
		sv.ZoneEligibilite = []string{p.Departement}
	}
	return st, sv
}

// DataInclusion writes the places as data·inclusion's JSON
// {"structures": [...], "services": [...]}, one object a line. It reads
// places twice, once per list, so that neither list is held in memory; a
// service is written only for a structure of the first pass. It returns
// the number of structures written.
func DataInclusion(w io.Writer, places Places, baseURL string) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	written := map[string]struct{}{}
	bw.WriteString(`{"structures":[` + "\n")
	err := places(func(p *place.Place) error {
		st, _ := ToDataInclusion(p, baseURL)
		if len(written) > 0 {
			bw.WriteByte(',')
		}
		written[p.ID] = struct{}{}
		return enc.Encode(st)
	})
	if err != nil {
		return len(written), err
	}
	bw.WriteString(`],"services":[` + "\n")
	first := true
	err = places(func(p *place.Place) error {
		if _, ok := written[p.ID]; !ok {
			return nil // added since the first pass
		}
		_, sv := ToDataInclusion(p, baseURL)
		if !first {
			bw.WriteByte(',')
		}
		first = false
		return enc.Encode(sv)
	})
	if err != nil {
		return len(written), err
	}
	bw.WriteString("]}\n")
	return len(written), bw.Flush()
}

var (
	siret     = regexp.MustCompile(`^\d{14}$`)
	postcode  = regexp.MustCompile(`^\d{5}$`)
	inseeCode = regexp.MustCompile(`^\w{5}$`)
)

// structureName fits the schema: 3 to 150 characters, not ending with a
// dot. A name too short gets its commune.
func structureName(p *place.Place) string {
	n := strings.TrimRight(strings.TrimSpace(p.Nom), ". ")
	if utf8.RuneCountInString(n) < 3 && p.Commune != "" {
		n = strings.TrimSpace(n + " (" + p.Commune + ")")
	}
	n = strings.TrimRight(truncate(n, 150), ". ")
	if utf8.RuneCountInString(n) < 3 {
		n = "Lieu de médiation numérique"
	}
	return n
}

// description joins the short and the long presentation (5 to 10,000
// characters; "" when shorter).
func description(p *place.Place) string {
	var parts []string
	resume, detail := strings.TrimSpace(p.Resume), strings.TrimSpace(p.Detail)
	if resume != "" {
		parts = append(parts, resume)
	}
	if detail != "" && detail != resume {
		parts = append(parts, detail)
	}
	d := truncate(strings.Join(parts, "\n\n"), 10000)
	if utf8.RuneCountInString(d) < 5 {
		return ""
	}
	return d
}

// serviceDescription is the place's presentation, or one sentence built
// from its services (the field is required).
func serviceDescription(p *place.Place) string {
	if d := description(p); d != "" {
		return d
	}
	d := strings.TrimRight(structureName(p), ". ") + " propose un accompagnement au numérique"
	if labels := place.Services.Labels(p.Services); len(labels) > 0 {
		for i, l := range labels {
			labels[i] = strings.ToLower(l[:1]) + l[1:]
		}
		d += " : " + strings.Join(labels, ", ")
	}
	return truncate(d+".", 10000)
}

// uri returns s when it is an absolute http(s) URL the schema's "uri"
// format accepts, "" otherwise.
func uri(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2083 || strings.ContainsAny(s, " \t\r\n\"<>\\^`{|}") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

// email returns s when it is a bare RFC 5322 address, "" otherwise.
func email(s string) string {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return ""
	}
	return s
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n]))
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
