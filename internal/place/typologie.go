package place

// Typology is a structure type of the data·inclusion vocabulary that the
// national standard uses for `typologie` (codes exactly as the national
// library spells them: "Autre", not "AUTRE").
type Typology struct{ Code, Label string }

// Typologies is the official code list, sorted by code.
var Typologies = []Typology{
	{"ACI", "Structure porteuse d'ateliers et chantiers d'insertion (ACI)"},
	{"ACIPHC", "SIAE — Atelier chantier d'insertion premières heures en chantier"},
	{"AFPA", "Agence nationale pour la formation professionnelle des adultes (AFPA)"},
	{"AI", "Association intermédiaire (AI)"},
	{"ASE", "Aide sociale à l'enfance (ASE)"},
	{"ASSO", "Association"},
	{"ASSO_CHOMEUR", "Association de chômeurs"},
	{"AVIP", "Crèche à vocation d'insertion professionnelle (AVIP)"},
	{"Autre", "Autre"},
	{"BIB", "Bibliothèque / Médiathèque"},
	{"CAARUD", "Centre d'accueil et d'accompagnement à la réduction de risques pour usagers de drogues (CAARUD)"},
	{"CADA", "Centre d'accueil de demandeurs d'asile (CADA)"},
	{"CAF", "Caisse d'allocations familiales (CAF)"},
	{"CAP_EMPLOI", "Cap emploi"},
	{"CAVA", "Centre d'adaptation à la vie active (CAVA)"},
	{"CC", "Communauté de communes"},
	{"CCAS", "Centre communal d'action sociale (CCAS)"},
	{"CCONS", "Chambre consulaire (CCI, CMA, chambre d'agriculture)"},
	{"CD", "Conseil départemental (CD)"},
	{"CDAS", "Centre départemental d'action sociale (CDAS)"},
	{"CFP", "Centre des finances publiques (CFP)"},
	{"CHRS", "Centre d'hébergement et de réinsertion sociale (CHRS)"},
	{"CHU", "Centre d'hébergement d'urgence (CHU)"},
	{"CIAS", "Centre intercommunal d'action sociale (CIAS)"},
	{"CIDFF", "Centre d'information sur les droits des femmes et des familles (CIDFF)"},
	{"CITMET", "Cité des métiers"},
	{"CMP", "Centre médico-psychologique (CMP)"},
	{"CMS", "Centre médico-social (CMS)"},
	{"CPAM", "Caisse primaire d'assurance maladie (CPAM)"},
	{"CPH", "Centre provisoire d'hébergement (CPH)"},
	{"CS", "Centre social"},
	{"CSAPA", "Centre de soins, d'accompagnement et de prévention en addictologie (CSAPA)"},
	{"CSC", "Centre socioculturel"},
	{"DEETS", "Direction de l'économie, de l'emploi, du travail et des solidarités (DEETS)"},
	{"DEPT", "Services sociaux du conseil départemental"},
	{"DIPLP", "Délégation interministérielle à la prévention et à la lutte contre la pauvreté"},
	{"E2C", "École de la deuxième chance (E2C)"},
	{"EA", "Entreprise adaptée (EA)"},
	{"EATT", "Entreprise adaptée de travail temporaire (EATT)"},
	{"EI", "Entreprise d'insertion (EI)"},
	{"EITI", "Entreprise d'insertion par le travail indépendant (EITI)"},
	{"ENM", "Espace numérique mobile"},
	{"EPCI", "Intercommunalité (EPCI)"},
	{"EPI", "Espace public internet (EPI)"},
	{"EPIDE", "Établissement pour l'insertion dans l'emploi (EPIDE)"},
	{"EPN", "Espace public numérique (EPN)"},
	{"ES", "Épicerie solidaire"},
	{"ESAT", "Établissement et service d'aide par le travail (ESAT)"},
	{"ESS", "Entreprise de l'économie sociale et solidaire (ESS)"},
	{"ETTI", "Entreprise de travail temporaire d'insertion (ETTI)"},
	{"EVS", "Espace de vie sociale (EVS)"},
	{"FABLAB", "Fablab"},
	{"FABRIQUE", "Fabrique de territoire"},
	{"FAIS", "Fédération d'associations d'insertion par l'activité économique"},
	{"FT", "France Travail"},
	{"GEIQ", "Groupement d'employeurs pour l'insertion et la qualification (GEIQ)"},
	{"HUDA", "Hébergement d'urgence pour demandeurs d'asile (HUDA)"},
	{"LA_POSTE", "La Poste"},
	{"MDE", "Maison de l'emploi (MDE)"},
	{"MDEF", "Maison de l'emploi et de la formation (MDEF)"},
	{"MDH", "Maison des habitants"},
	{"MDPH", "Maison départementale des personnes handicapées (MDPH)"},
	{"MDS", "Maison départementale des solidarités (MDS)"},
	{"MJC", "Maison des jeunes et de la culture (MJC)"},
	{"ML", "Mission locale"},
	{"MQ", "Maison de quartier"},
	{"MSA", "Mutualité sociale agricole (MSA)"},
	{"MSAP", "Maison de services au public (MSAP)"},
	{"MUNI", "Municipalité"},
	{"OACAS", "Organisme d'accueil communautaire et d'activité solidaire (OACAS)"},
	{"ODC", "Organisation délégataire d'un conseil départemental"},
	{"OF", "Organisme de formation"},
	{"OIL", "Opérateur d'intermédiation locative"},
	{"OPCS", "Organisation porteuse de la clause sociale"},
	{"PAD", "Point d'accès au droit (PAD)"},
	{"PENSION", "Pension de famille / résidence accueil"},
	{"PI", "Point d'information"},
	{"PIJ_BIJ", "Point / Bureau information jeunesse (PIJ / BIJ)"},
	{"PIMMS", "Point information médiation multi services (PIMMS)"},
	{"PJJ", "Protection judiciaire de la jeunesse (PJJ)"},
	{"PLIE", "Plan local pour l'insertion et l'emploi (PLIE)"},
	{"PREF", "Préfecture, sous-préfecture"},
	{"PREVENTION", "Service ou club de prévention"},
	{"REG", "Région"},
	{"RELAIS_LECTURE", "Relais lecture"},
	{"RESSOURCERIE", "Ressourcerie"},
	{"RFS", "Réseau France Services"},
	{"RS_FJT", "Résidence sociale / foyer de jeunes travailleurs (FJT)"},
	{"SCP", "Services et clubs de prévention"},
	{"SPIP", "Service pénitentiaire d'insertion et de probation (SPIP)"},
	{"TIERS_LIEUX", "Tiers-lieu et coworking"},
	{"UDAF", "Union départementale des associations familiales (UDAF)"},
}

var typologyIndex = func() map[string]int {
	m := map[string]int{}
	for i, t := range Typologies {
		m[Fold(t.Label)] = i
	}
	for i, t := range Typologies {
		m[Fold(t.Code)] = i // a code wins over a label spelled the same
	}
	return m
}()

// LookupTypology finds a typology by its code or its French label,
// whatever the case ("autre", "AUTRE" and "Autre" all give "Autre").
func LookupTypology(code string) (Typology, bool) {
	i, ok := typologyIndex[Fold(code)]
	if !ok {
		return Typology{}, false
	}
	return Typologies[i], true
}

// TypologyLabels gives the French labels of typology codes, keeping
// unknown codes as they are.
func TypologyLabels(codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if t, ok := LookupTypology(c); ok {
			out = append(out, t.Label)
		} else {
			out = append(out, c)
		}
	}
	return out
}
