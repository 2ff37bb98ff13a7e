// Package portrait builds the territory portrait ("fiche portrait de
// territoire"): the figures of a territory's digital-inclusion offer,
// computed from PORTREA's places and the built-in territory reference,
// for elected officials and the local network — on screen (HTML with SVG
// charts) and as a PDF the binary draws itself.
package portrait

import (
	"time"
)

// Portrait is everything the portrait shows. Both renderings (HTML and
// PDF) read only this: what one shows, the other shows.
type Portrait struct {
	Generated time.Time
	Foreword  string // the referent's free text, shown first

	Identity Identity
	Key      KeyFigures
	Offer    Offer
	Hours    HoursFigures
	Gaps     Gaps
	Map      MapData
	Compare  []Comparison // the territory, its département, its région, the median EPCI of the région
	Trend    []Snapshot   // monthly snapshots, oldest first (shown once there are two)
	Sources  []Source
}

// Identity is the territory's identity card.
type Identity struct {
	SIREN, Name, Type, TypeLabel string
	Departements                 []NamedCode
	Region                       NamedCode
	Communes                     int
	Population                   int
	PopulationVintage            string // "populations légales 2023 (INSEE)"
	Referents                    []Referent
	Strategy, Phase              string // French labels
	PhaseSince                   time.Time
}

// NamedCode is a code with its name.
type NamedCode struct{ Code, Name string }

// Referent is a referent of the territory.
type Referent struct{ Name, Email, Kind string }

// KeyFigures are the headline numbers. Shares are 0–100 (percent), rounded
// by the renderers, not here.
type KeyFigures struct {
	Places            int     // active places
	PerTenThousand    float64 // places per 10,000 inhabitants
	CoveredCommunes   int     // communes with at least one place
	Communes          int
	CoveredPopulation float64 // % of inhabitants living in a commune with a place
	FranceServices    int
	ConseillersNum    int
	AidantsConnect    int
	Itinerant, Fixed  int
	ConfirmedLastYear float64 // % of places whose date_maj is under 12 months old
}

// Count is a labelled number, for tables and bar charts.
type Count struct {
	Label string
	N     int
}

// Offer is what the places offer.
type Offer struct {
	Services      []Count // the 9 services, in the official order, zeros included
	Publics       []Count // publics spécifiquement adressés
	PriseEnCharge []Count // prise en charge spécifique
	Frais         []Count
	Access        []Count // modalités d'accès
	Accompaniment []Count // modalités d'accompagnement
	Typologies    []Count // by structure type, largest first
}

// HoursFigures describe opening hours.
type HoursFigures struct {
	WeeklyHours  float64 // sum over places of their regular weekly open hours
	MedianWeekly float64 // median weekly hours of the places that have hours
	Evenings     int     // places open after 18:00 at least one day
	Saturdays    int     // places open on Saturday
	Weekday      string  // French name of the day of the chart ("mardi")
	ByHour       [24]int // places open at hh:30 of that day
	WithoutHours []string
	ClosedHours  []string // "lundi 0 h–8 h", hours of the week when nothing is open (daytime 8–20 h)
}

// Gaps are what the territory lacks.
type Gaps struct {
	CommunesWithout []CommuneGap // sorted by population, largest first
	ServicesNowhere []string
}

// CommuneGap is a commune without any place.
type CommuneGap struct {
	Code, Name                 string
	Population                 int
	NearestKm                  float64 // straight line from the commune's centre to the nearest place (-1: none)
	NearestFranceServicesKm    float64 // to the nearest France Services (-1: none)
	NearestName, NearestFSName string
}

// MapData is what the map draws: commune outlines (when fetched) and
// places.
type MapData struct {
	Communes []CommuneShape
	Places   []MapPlace
	// HasOutlines is false when no outline is stored: the map shows
	// places (and commune centres) only.
	HasOutlines bool
	OutlinesAt  time.Time
}

// CommuneShape is a commune: its outline rings (lon, lat) and centre.
type CommuneShape struct {
	Code, Name string
	Rings      [][][2]float64
	Centre     [2]float64 // lon, lat
	Covered    bool
}

// MapPlace is a place on the map.
type MapPlace struct {
	Name           string
	Lon, Lat       float64
	FranceServices bool
	Itinerant      bool
}

// Comparison is the key ratios of one area.
type Comparison struct {
	Label             string // "CC Brocéliande Communauté", "Ille-et-Vilaine", "Bretagne", "EPCI médian de Bretagne"
	Places            int
	PerTenThousand    float64
	CoveredCommunes   float64 // % of communes with a place
	CoveredPopulation float64 // % of inhabitants in a covered commune
	ConfirmedLastYear float64 // %
}

// Snapshot is the key figures of one month.
type Snapshot struct {
	Month             string // "2026-11"
	Places            int
	PerTenThousand    float64
	CoveredCommunes   int
	CoveredPopulation float64
	ConfirmedLastYear float64
}

// Source is where a figure comes from, and when.
type Source struct {
	What, From, Date string
}
