package territory

import "fmt"

// Factor is one of the four maturity factors the method assesses before a
// territory picks its strategy.
type Factor string

const (
	FactorGovernance   Factor = "gouvernance"
	FactorNetwork      Factor = "reseau"
	FactorOrientations Factor = "orientations"
	FactorTools        Factor = "outils"
)

// Factors lists the factors in the order of the form.
var Factors = []Factor{FactorGovernance, FactorNetwork, FactorOrientations, FactorTools}

// Label is the French name of the factor.
func (f Factor) Label() string {
	switch f {
	case FactorGovernance:
		return "Gouvernance locale dédiée à l'inclusion numérique"
	case FactorNetwork:
		return "Réseau d'acteurs existant"
	case FactorOrientations:
		return "Orientations stratégiques sur l'inclusion numérique"
	case FactorTools:
		return "Outils déjà déployés et leur maîtrise par les acteurs"
	}
	return string(f)
}

// Question helps the person who rates the factor.
func (f Factor) Question() string {
	switch f {
	case FactorGovernance:
		return "Une instance, un·e élu·e ou un service porte-t-il l'inclusion numérique sur le territoire ?"
	case FactorNetwork:
		return "Les acteurs de la médiation numérique se connaissent-ils, se réunissent-ils, s'orientent-ils les personnes ?"
	case FactorOrientations:
		return "Un schéma, un plan ou une feuille de route fixe-t-il des orientations sur l'inclusion numérique ?"
	case FactorTools:
		return "Une cartographie, une base ou un annuaire des lieux existe-t-il, à jour et utilisé par les acteurs ?"
	}
	return ""
}

// Level is the maturity of a factor, on a scale of 0 to 3.
type Level int

const (
	LevelAbsent Level = iota
	LevelEmerging
	LevelPresent
	LevelSolid
)

// Levels lists the scale, lowest first.
var Levels = []Level{LevelAbsent, LevelEmerging, LevelPresent, LevelSolid}

// Label is the French name of the level.
func (l Level) Label() string {
	switch l {
	case LevelAbsent:
		return "absent"
	case LevelEmerging:
		return "émergent"
	case LevelPresent:
		return "présent"
	case LevelSolid:
		return "solide"
	}
	return fmt.Sprint(int(l))
}

// Valid reports whether l is on the scale.
func (l Level) Valid() bool { return l >= LevelAbsent && l <= LevelSolid }

// Rating is the level of one factor and what the people who rated it said.
type Rating struct {
	Level   Level  `json:"niveau"`
	Comment string `json:"commentaire,omitempty"`
}

// Assessment rates the four factors; a factor left out counts as absent.
type Assessment map[Factor]Rating

// Level of a factor.
func (a Assessment) Level(f Factor) Level { return a[f].Level }

// Workload is a referent's time per EPCI for a strategy, in days.
type Workload struct {
	Census    int // census and communication
	Animation int // network animation
}

// Total is the whole workload in days.
func (w Workload) Total() int { return w.Census + w.Animation }

// Workload of a strategy, as the method observed it.
func (s Strategy) Workload() Workload {
	switch s {
	case StrategyGeneraliste:
		return Workload{Census: 1, Animation: 8}
	case StrategyOutil:
		return Workload{Census: 1, Animation: 5}
	case StrategyReseau:
		return Workload{Census: 1, Animation: 7}
	}
	return Workload{}
}

// Valid reports whether s is one of the three strategies.
func (s Strategy) Valid() bool {
	return s == StrategyGeneraliste || s == StrategyOutil || s == StrategyReseau
}

// Strategies lists the three strategies.
var Strategies = []Strategy{StrategyGeneraliste, StrategyOutil, StrategyReseau}

// Purpose says, in French, what territories choosing s want.
func (s Strategy) Purpose() string {
	switch s {
	case StrategyGeneraliste:
		return "L'interconnaissance et la coopération des acteurs, appuyées sur un outil numérique : le réseau est animé et les données sont tenues à jour par les acteurs eux-mêmes."
	case StrategyOutil:
		return "Avant tout une base de données complète et à jour : le ou la référent·e la pré-remplit, puis une séance de consolidation comble les manques à partir de cas d'usage."
	case StrategyReseau:
		return "(Ré)activer la mise en réseau et l'échange de pratiques : comprendre comment chaque acteur intervient pour mieux orienter les personnes."
	}
	return ""
}

// Recommend picks a strategy from an assessment, with its reasons in plain
// French. The rules are applied in this order; the first that matches wins:
//
//  1. réseau — the network of actors is absent or emerging (level ≤ 1).
//     A database nobody looks after goes stale: without a living network
//     the first job is to bring the actors together, whatever else is in
//     place. This rule comes first, so it settles every tie.
//  2. outil — the network is present (≥ 2), a dedicated governance is
//     present (≥ 2), and the tools are absent or emerging (≤ 1): the
//     territory is steered and its actors know each other, what it lacks is
//     a complete database, which the referent can pre-fill with the
//     governance's backing.
//  3. généraliste — every other case: the network exists, and either the
//     tools are already there to be kept alive by the actors, or no
//     governance is there to carry a pre-fill by the referent.
//
// The strategic orientations never change the outcome (they frame the
// approach rather than decide it); they are named in the reasons.
func Recommend(a Assessment) (Strategy, []string) {
	gov, net, ori, tools := a.Level(FactorGovernance), a.Level(FactorNetwork), a.Level(FactorOrientations), a.Level(FactorTools)
	var s Strategy
	var reasons []string
	switch {
	case net <= LevelEmerging:
		s = StrategyReseau
		reasons = append(reasons, fmt.Sprintf("Le réseau d'acteurs est %s : la priorité est de (ré)activer l'interconnaissance et l'échange de pratiques, sans quoi une base de données ne serait pas tenue à jour.", net.Label()))
		if tools >= LevelPresent {
			reasons = append(reasons, fmt.Sprintf("Les outils sont %ss : ils serviront de support aux rencontres du réseau.", tools.Label()))
		}
	case gov >= LevelPresent && tools <= LevelEmerging:
		s = StrategyOutil
		reasons = append(reasons,
			fmt.Sprintf("Le réseau d'acteurs est %s et la gouvernance locale %s : le territoire est piloté et ses acteurs se connaissent.", net.Label(), femininePresent(gov)),
			fmt.Sprintf("Les outils sont %ss : ce qui manque d'abord, c'est une base de données complète et à jour, que le ou la référent·e pré-remplit avant une séance de consolidation.", tools.Label()))
	default:
		s = StrategyGeneraliste
		reasons = append(reasons, fmt.Sprintf("Le réseau d'acteurs est %s : il peut faire vivre la démarche et tenir lui-même ses données à jour.", net.Label()))
		if tools >= LevelPresent {
			reasons = append(reasons, fmt.Sprintf("Les outils sont %ss : il s'agit de les faire vivre par les acteurs plutôt que de construire d'abord une base.", tools.Label()))
		} else {
			reasons = append(reasons, fmt.Sprintf("La gouvernance locale est %s : sans elle, un pré-remplissage de la base par le ou la référent·e (stratégie outil) serait peu porté ; l'animation du réseau vient d'abord.", femininePresent(gov)))
		}
	}
	if ori >= LevelPresent {
		reasons = append(reasons, fmt.Sprintf("Les orientations stratégiques sont %ss : elles donnent un cadre à la démarche.", femininePresent(ori)))
	} else {
		reasons = append(reasons, fmt.Sprintf("Les orientations stratégiques sont %ss : la démarche pourra les nourrir.", femininePresent(ori)))
	}
	return s, reasons
}

// femininePresent agrees a level with a feminine noun (« la gouvernance »).
func femininePresent(l Level) string {
	switch l {
	case LevelAbsent:
		return "absente"
	case LevelEmerging:
		return "émergente"
	case LevelPresent:
		return "présente"
	}
	return l.Label()
}

// Support lists what the hub provides to a territory with strategy s.
func (s Strategy) Support() []string {
	out := []string{
		"Le modèle de recensement des acteurs (tableur) et son import dans PORTREA",
		"Le modèle d'invitation à la journée collaborative, rempli avec les données du territoire",
		"La méthode d'animation et le déroulé des diapositives de la journée",
		"La fiche portrait du territoire, calculée à partir des données",
		"Le guide d'utilisation de l'outil",
		"Les campagnes de mise à jour par courriel des 1er mars, 1er juillet et 1er novembre",
	}
	switch s {
	case StrategyGeneraliste:
		out = append(out,
			"Des ateliers d'exploitation de la base pour animer le réseau à partir de ses propres données",
			"L'accompagnement des acteurs pour qu'ils tiennent leurs fiches à jour")
	case StrategyOutil:
		out = append(out,
			"L'aide au pré-remplissage de la base à partir des jeux de données existants (cartographie nationale, data·inclusion, annuaires locaux)",
			"La préparation de la séance de consolidation des données par cas d'usage")
	case StrategyReseau:
		out = append(out,
			"L'animation d'ateliers d'interconnaissance et d'échange de pratiques",
			"Des cas d'orientation de personnes pour comprendre comment chaque acteur intervient")
	}
	return out
}

// FacilitationSteps is the running order of the collaborative day for s.
func (s Strategy) FacilitationSteps() []string {
	open := "Accueil, tour de table et présentation de la démarche (30 min)"
	closing := "Suites : mise à jour des fiches, campagnes de mise à jour, prochain temps du réseau (15 min)"
	switch s {
	case StrategyOutil:
		return []string{open,
			"Présentation de la base pré-remplie et de la carte (20 min)",
			"Consolidation par cas d'usage : chaque acteur vérifie et complète sa fiche à partir de situations concrètes (1 h 30)",
			"Revue des manques restants et attribution de qui complète quoi (30 min)",
			closing}
	case StrategyReseau:
		return []string{open,
			"Interconnaissance : qui fait quoi, pour quels publics, comment on oriente (1 h)",
			"Échange de pratiques en petits groupes autour de parcours de personnes (1 h)",
			"Saisie collaborative des fiches des lieux présents (45 min)",
			closing}
	default:
		return []string{open,
			"Découverte de l'outil : carte, annuaire, fiche de chaque lieu (20 min)",
			"Saisie collaborative : chaque acteur remplit ou vérifie sa fiche (1 h)",
			"Atelier de coopération : lire le portrait du territoire et repérer les manques (45 min)",
			closing}
	}
}

// Slides is the outline of the day's slides for s.
func (s Strategy) Slides() []string {
	common := []string{"Titre : la journée collaborative du territoire", "Pourquoi recenser les lieux d'inclusion numérique", "Le territoire en chiffres (fiche portrait)"}
	switch s {
	case StrategyOutil:
		return append(common, "La base pré-remplie : ce qui est déjà connu", "Les cas d'usage pour consolider les données", "Ce qui manque encore et qui s'en charge", "Garder la base à jour : les campagnes")
	case StrategyReseau:
		return append(common, "Qui fait quoi : la carte des acteurs", "Orienter une personne : parcours types", "Consignes des ateliers d'échange de pratiques", "Faire vivre le réseau : les prochains rendez-vous")
	default:
		return append(common, "Découvrir l'outil : carte, annuaire, fiches", "Consignes de la saisie collaborative", "Coopérer à partir des données : l'atelier portrait", "Garder la base à jour : les campagnes")
	}
}
