// Package config reads PORTREA's bootstrap configuration from the
// environment, once, into a Config passed explicitly to what needs it.
// Settings an administrator edits at run time live in the database.
package config

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Config is the bootstrap configuration.
type Config struct {
	Addr        string // PORTREA_ADDR
	DB          string // PORTREA_DB
	BaseURL     string // PORTREA_BASE_URL
	SMTPURL     string // PORTREA_SMTP_URL
	GeocoderURL string // PORTREA_GEOCODER_URL
	GeoAPIURL   string // PORTREA_GEOAPI_URL
	LogFormat   string // PORTREA_LOG_FORMAT
	SendRate    string // PORTREA_SEND_RATE, see PerSecond
}

// Var describes one environment variable: the README's configuration
// table is this list.
type Var struct {
	Name, Default, Doc string
	set                func(*Config, string)
}

// Vars is every environment variable PORTREA reads.
var Vars = []Var{
	{"PORTREA_ADDR", ":8080", "listen address", func(c *Config, v string) { c.Addr = v }},
	{"PORTREA_DB", "sqlite:data/portrea.db", "`sqlite:PATH` or a `postgres://` URL", func(c *Config, v string) { c.DB = v }},
	{"PORTREA_BASE_URL", "http://localhost:8080", "public URL used in emails and links", func(c *Config, v string) { c.BaseURL = strings.TrimRight(v, "/") }},
	{"PORTREA_SMTP_URL", "", "`smtp://user:pass@host:port`; empty keeps emails in the outbox", func(c *Config, v string) { c.SMTPURL = v }},
	{"PORTREA_GEOCODER_URL", "https://data.geopf.fr/geocodage", "French address geocoder (BAN / Géoplateforme API format)", func(c *Config, v string) { c.GeocoderURL = strings.TrimRight(v, "/") }},
	{"PORTREA_GEOAPI_URL", "https://geo.api.gouv.fr", "geo.api.gouv.fr (commune outlines for the portrait's map)", func(c *Config, v string) { c.GeoAPIURL = strings.TrimRight(v, "/") }},
	{"PORTREA_LOG_FORMAT", "text", "`text` or `json` logs on standard error", func(c *Config, v string) { c.LogFormat = v }},
	{"PORTREA_SEND_RATE", "10", "campaign e-mails per second, for all the instances together", func(c *Config, v string) { c.SendRate = v }},
}

// FromEnv reads the configuration with getenv (os.Getenv in production).
func FromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var c Config
	for _, v := range Vars {
		val := getenv(v.Name)
		if val == "" {
			val = v.Default
		}
		v.set(&c, val)
	}
	return c, c.check()
}

func (c Config) check() error {
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("PORTREA_DB doit commencer par « sqlite: » ou « postgres:// » (reçu « %s »)", c.DB)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("PORTREA_BASE_URL doit être une adresse complète comme http://localhost:8080 (reçu « %s »)", c.BaseURL)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("PORTREA_LOG_FORMAT doit valoir « text » ou « json » (reçu « %s »)", c.LogFormat)
	}
	if r, err := strconv.ParseFloat(c.SendRate, 64); err != nil || r <= 0 || r > 1000 {
		return fmt.Errorf("PORTREA_SEND_RATE doit être un nombre de messages par seconde entre 0 et 1000, par exemple 10 ou 0.5 (reçu « %s »)", c.SendRate)
	}
	return nil
}

// PerSecond is the campaign sending rate of PORTREA_SEND_RATE.
func (c Config) PerSecond() float64 {
	r, _ := strconv.ParseFloat(c.SendRate, 64)
	return r
}

// MailFrom is the sender of PORTREA's e-mails: a no-reply address on the
// public host.
func (c Config) MailFrom() string {
	return "PORTREA <" + c.MailFromAddress() + ">"
}

// MailFromAddress is the bare no-reply address, for senders that put
// their own name in front (campaigns).
func (c Config) MailFromAddress() string {
	host := "localhost"
	if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	if !strings.Contains(host, ".") {
		host += ".invalid"
	}
	return "ne-pas-repondre@" + host
}
