package check

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestForeign(t *testing.T) {
	tests := []struct {
		name, lang, text string
		want             []string
	}{
		{"french in english", "en", "lab4-app is absent", []string{"absent"}},
		{"accents in english", "en", "état running", []string{"état"}},
		{"english in french", "fr", "Le conteneur is not running.", []string{"is", "not"}},
		{"elision", "en", "n'est pas", []string{"est", "pas"}},
		{"pure french", "fr", "Le service api n'a pas démarré : relancez `docker compose up`.", nil},
		{"pure english", "en", "Service api did not start: run `docker compose up` again.", nil},
		{"quoted data", "fr", `Le label vaut "the best" et « is not ».`, nil},
		{"instructions", "fr", "Ajoutez un FROM et un CMD.", nil},
		{"flags and paths", "fr", "Utilisez --check et /the/path, key=the.", nil},
		{"non-root in english", "en", "The image runs non-root.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Foreign(tt.lang, tt.text))
		})
	}
}

func TestTypeset(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Le fichier est absent : ajoutez-le.", "Le fichier est absent\u00a0: ajoutez-le."},
		{"Vraiment ? Oui !", "Vraiment\u00a0? Oui\u00a0!"},
		{"« docker ps » ; 80 %", "«\u00a0docker ps\u00a0»\u00a0; 80\u00a0%"},
		{"Lancez `a : b ; c` puis :", "Lancez `a : b ; c` puis\u00a0:"},
		{"http://x:80 et 127.0.0.1:8080", "http://x:80 et 127.0.0.1:8080"},
		{"clé :valeur", "clé :valeur"},
		{"fin :", "fin\u00a0:"},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Typeset(tt.in), tt.in)
	}
}

func TestSize(t *testing.T) {
	for _, tt := range []struct {
		n      float64
		fr, en string
	}{
		{330.6e6, "330,6 Mo", "330.6 MB"}, {25e6, "25 Mo", "25 MB"}, {512, "512 o", "512 B"}, {1.5e3, "1,5 ko", "1.5 kB"},
	} {
		assert.Equal(t, Text{FR: tt.fr, EN: tt.en}, Size(tt.n))
	}
}

func TestTWithTextArguments(t *testing.T) {
	args := []any{Size(330.6e6), 3}
	got := T("pèse %s (%d)", "weighs %s (%d)", args...)
	assert.Equal(t, Text{FR: "pèse 330,6 Mo (3)", EN: "weighs 330.6 MB (3)"}, got)
	assert.Equal(t, Size(330.6e6), args[0], "the caller's arguments are left alone")
}

func TestDuration(t *testing.T) {
	for _, tt := range []struct {
		d      time.Duration
		fr, en string
	}{
		{40 * time.Millisecond, "40 ms", "40 ms"}, {5 * time.Second, "5 s", "5 s"}, {1500 * time.Millisecond, "1,5 s", "1.5 s"},
		{90 * time.Second, "1 min 30 s", "1 min 30 s"}, {2 * time.Minute, "2 min", "2 min"},
	} {
		assert.Equal(t, Text{FR: tt.fr, EN: tt.en}, Duration(tt.d))
	}
}

func TestOf(t *testing.T) {
	assert.Equal(t, Text{FR: "d'api", EN: "of api"}, Of("api"))
	assert.Equal(t, Text{FR: "d'orders", EN: "of orders"}, Of("orders"))
	assert.Equal(t, Text{FR: "de web", EN: "of web"}, Of("web"))
}

func TestJoinAndCount(t *testing.T) {
	ts := []Text{Lit("un", "one"), Same("2")}
	assert.Equal(t, Text{FR: "un ; 2", EN: "one; 2"}, Join(ts, " ; ", "; "))
	assert.Equal(t, Text{}, Join(nil, ", ", ", "))
	for _, tt := range []struct {
		n      int
		fr, en string
	}{{0, "0 réseau", "0 networks"}, {1, "1 réseau", "1 network"}, {2, "2 réseaux", "2 networks"}} {
		assert.Equal(t, Text{FR: tt.fr, EN: tt.en}, Count(tt.n, "%d réseau", "%d réseaux", "%d network", "%d networks"))
	}
}
