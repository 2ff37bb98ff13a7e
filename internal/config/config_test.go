package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DB != "sqlite:data/portrea.db" || c.BaseURL != "http://localhost:8080" || c.SMTPURL != "" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestOverridesAndErrors(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"PORTREA_DB": "postgres://x@h/db", "PORTREA_BASE_URL": "https://carte.example.org/", "PORTREA_ADDR": ":9000"}))
	if err != nil || c.DB != "postgres://x@h/db" || c.BaseURL != "https://carte.example.org" || c.Addr != ":9000" {
		t.Errorf("overrides = %+v, %v", c, err)
	}
	for k, v := range map[string]string{"PORTREA_DB": "mysql://x", "PORTREA_BASE_URL": "carte", "PORTREA_LOG_FORMAT": "xml"} {
		_, err := FromEnv(env(map[string]string{k: v}))
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: error %v should name the variable", k, v, err)
		}
	}
}
