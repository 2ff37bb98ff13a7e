package place

import "testing"

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, postcode, want string
		wantErr            bool
	}{
		{"02 99 12 34 56", "35000", "+33299123456", false},
		{"02.99.12.34.56", "35000", "+33299123456", false},
		{"0299123456", "35000", "+33299123456", false},
		{"+33 2 99 12 34 56", "35000", "+33299123456", false},
		{"+33 (0)2 99 12 34 56", "35000", "+33299123456", false},
		{"0033299123456", "35000", "+33299123456", false},
		{"299123456", "35000", "+33299123456", false}, // leading zero lost in a spreadsheet
		{"06 90 12 34 56", "97110", "+590690123456", false},
		{"02 62 12 34 56", "97400", "+262262123456", false},
		{"+33180059880", "", "+33180059880", false},
		{"", "35000", "", false},
		{"02 99 12 34", "35000", "", true},
		{"appeler la mairie", "35000", "", true},
		{"+44 20 7946 0958", "35000", "", true},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in, tt.postcode)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q (error %v)", tt.in, tt.postcode, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFormatPhone(t *testing.T) {
	if got := FormatPhone("+33299123456"); got != "02 99 12 34 56" {
		t.Errorf("FormatPhone = %q", got)
	}
	if got := FormatPhone("+590690123456"); got != "+590690123456" {
		t.Errorf("FormatPhone kept overseas number as %q", got)
	}
}

func TestCheckPivot(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"43493312300029", true},  // the official example's SIRET
		{"43493312300028", false}, // wrong key
		{"35600000000051", true},  // La Poste: digit sum multiple of 5
		{"35600000000052", false},
		{"W751234567", true},
		{"W75123456", false},
		{"", true},
		{"00000000000000", true}, // placeholder: "pivot manquant"
		{"434933123", false},     // a SIREN is not a SIRET
		{"Mairie", false},
	}
	for _, tt := range tests {
		if err := CheckPivot(tt.in); (err == nil) != tt.ok {
			t.Errorf("CheckPivot(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
	if got := NormalizePivot(" 434 933 123 00029 "); got != "43493312300029" {
		t.Errorf("NormalizePivot = %q", got)
	}
}

func TestCheckEmailAndURL(t *testing.T) {
	for _, e := range []string{"contact@laquincaillerie.tl", "a.b-c@mairie-paimpont.fr", "x_y@sub.example.org"} {
		if err := CheckEmail(e); err != nil {
			t.Errorf("CheckEmail(%q) = %v", e, err)
		}
	}
	for _, e := range []string{"contact@localhost", "élodie@mairie.fr", "contact mairie@x.fr", "@x.fr", "a@b"} {
		if CheckEmail(e) == nil {
			t.Errorf("CheckEmail(%q) accepted", e)
		}
	}
	if u, err := NormalizeURL("www.mairie-paimpont.fr"); err != nil || u != "https://www.mairie-paimpont.fr" {
		t.Errorf("NormalizeURL = %q, %v", u, err)
	}
	for _, u := range []string{"ftp://x.fr", "https://", "javascript:alert(1)", "voir le site"} {
		if _, err := NormalizeURL(u); err == nil {
			t.Errorf("NormalizeURL(%q) accepted", u)
		}
	}
}
