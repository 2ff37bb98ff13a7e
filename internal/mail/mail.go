// Package mail sends PORTREA's e-mails through an SMTP server
// (PORTREA_SMTP_URL). Messages wait in the database outbox; without a
// server configured they stay there for the hub to read.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Message is a plain-text French e-mail.
type Message struct {
	From    string // "PORTREA <ne-pas-repondre@example.org>"
	To      string
	ReplyTo string // optional
	Subject string
	Body    string
	// Unsubscribe is the opt-out URL, sent as List-Unsubscribe (optional).
	Unsubscribe string
	// HTML, when set, is sent beside Body as its HTML alternative.
	HTML string
}

// Sender delivers messages to one SMTP server.
type Sender struct {
	addr string // host:port
	host string
	auth smtp.Auth
}

// NewSender parses smtp://user:pass@host:port. An empty URL gives nil:
// nothing is sent, messages stay in the outbox.
func NewSender(raw string) (*Sender, error) {
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, fmt.Errorf("PORTREA_SMTP_URL doit ressembler à smtp://utilisateur:motdepasse@serveur:587 (reçu « %s »)", raw)
	}
	port := u.Port()
	if port == "" {
		port = "587"
	}
	s := &Sender{addr: net.JoinHostPort(u.Hostname(), port), host: u.Hostname()}
	if u.User != nil {
		pw, _ := u.User.Password()
		s.auth = smtp.PlainAuth("", u.User.Username(), pw, u.Hostname())
	}
	return s, nil
}

// Send delivers one message, with STARTTLS when the server offers it.
func (s *Sender) Send(ctx context.Context, m Message) error {
	return s.SendCommit(ctx, m, nil)
}

// SendCommit delivers one message and calls commit once the server holds
// the whole message but before telling it the message is complete: if
// commit fails, the message is abandoned (the server drops it); if the
// process dies after commit, the server still delivers it. A queue that
// records "sent" in commit thus never sends a message twice. When the
// server refuses the complete message after commit, SendCommit returns an
// *Refused error: the caller undoes what commit recorded.
func (s *Sender) SendCommit(ctx context.Context, m Message, commit func() error) error {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return fmt.Errorf("mail: sender %q: %w", m.From, err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("mail: recipient address: %w", err)
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("mail: connect %s: %w", s.addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(30 * time.Second))
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: hello %s: %w", s.addr, err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(nil); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if s.auth != nil {
		if err := c.Auth(s.auth); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("mail: rcpt: %w", err)
	}
	// Past this point the message goes to the server.
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: data: %w", err)
	}
	if _, err := w.Write(Format(m, time.Now())); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if commit != nil {
		if err := commit(); err != nil {
			return fmt.Errorf("mail: before end of data: %w", err) // Close without "." drops it
		}
	}
	if err := w.Close(); err != nil {
		return &Refused{Err: fmt.Errorf("mail: end of data: %w", err)}
	}
	return c.Quit()
}

// Format writes the message in RFC 5322 form: UTF-8 subject and body,
// quoted-printable.
func Format(m Message, now time.Time) []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	rand.Read(id)
	domain := "portrea.local"
	if a, err := mail.ParseAddress(m.From); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok {
			domain = d
		}
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n",
		encodeAddress(m.From), encodeAddress(m.To), mime.QEncoding.Encode("utf-8", m.Subject), now.Format(time.RFC1123Z), hex.EncodeToString(id), domain)
	if m.ReplyTo != "" {
		fmt.Fprintf(&b, "Reply-To: %s\r\n", encodeAddress(m.ReplyTo))
	}
	if m.Unsubscribe != "" {
		fmt.Fprintf(&b, "List-Unsubscribe: <%s>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", m.Unsubscribe)
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	if m.HTML == "" {
		writePart(&b, "text/plain", m.Body)
		return b.Bytes()
	}
	boundary := "portrea-" + hex.EncodeToString(id)
	fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n", boundary)
	for _, part := range []struct{ typ, text string }{{"text/plain", m.Body}, {"text/html", m.HTML}} {
		fmt.Fprintf(&b, "--%s\r\n", boundary)
		writePart(&b, part.typ, part.text)
		b.WriteString("\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes()
}

// writePart writes a UTF-8 quoted-printable body with its headers.
func writePart(b *bytes.Buffer, typ, text string) {
	fmt.Fprintf(b, "Content-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", typ)
	qp := quotedprintable.NewWriter(b)
	qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	qp.Close()
}

func encodeAddress(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return s
	}
	return a.String()
}

// Refused is a message the server refused after receiving it whole.
type Refused struct{ Err error }

func (e *Refused) Error() string { return e.Err.Error() }
func (e *Refused) Unwrap() error { return e.Err }

// Permanent reports an error the server gave as final (5xx: unknown
// address, refused message): trying again will not help.
func Permanent(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}

var addressRE = regexp.MustCompile(`[^\s<>"'(),;:]+@[^\s<>"'(),;:]+`)

// Redact is an error's text without the e-mail addresses an SMTP server may
// quote back: what goes to the logs holds no one's address.
func Redact(err error) string {
	if err == nil {
		return ""
	}
	return addressRE.ReplaceAllString(err.Error(), "<adresse>")
}
