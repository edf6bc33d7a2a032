package compose

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type wantProblem struct {
	line, col int
	path      string
	msg       string // substring of the message
}

// locateCases are the files under testdata/positions: what Locate says, and a piece of what
// compose-go v2.9.1 says about the same file ("" when it loads it).
var locateCases = []struct {
	file      string
	want      []wantProblem
	composeGo string
}{
	{"valid.yaml", nil, ""},
	{"bad-indent.yaml", []wantProblem{{4, 4, "", "indentation incorrecte"}}, "did not find expected key"},
	{"tab-indent.yaml", []wantProblem{{3, 1, "", "tabulation interdite"}}, "found character that cannot start any token"},
	{"imagee.yaml", []wantProblem{{3, 5, "services.web.imagee", "clé « imagee » inconnue ici (vouliez-vous dire « image » ?)"}},
		"additional properties 'imagee' not allowed"},
	{"ports-number.yaml", []wantProblem{{4, 12, "services.web.ports", "doit être une liste (reçu : nombre)"}},
		"services.web.ports must be a array"},
	{"depends-condition.yaml", []wantProblem{{6, 20, "services.web.depends_on.db.condition",
		"valeur attendue parmi : « service_started », « service_healthy », « service_completed_successfully » (reçu : « service_ready »)"}},
		"services.web.depends_on.db.condition value must be one of"},
	// The schema only says "string": the duration is checked later, when compose-go decodes
	// the model, with no position. Locate has nothing to add; the caller shows compose-go's
	// message.
	{"interval-words.yaml", nil, `'services[web].healthcheck.interval' time: invalid duration "five seconds"`},
	{"unknown-toplevel.yaml", []wantProblem{{4, 1, "service", "clé « service » inconnue ici (vouliez-vous dire « services » ?)"}},
		"additional properties 'service' not allowed"},
	{"duplicate-keys.yaml", []wantProblem{{6, 5, "services.web.image", "clé « image » déjà définie ligne 3"}},
		`mapping key "image" already defined at line 3`},
	{"several.yaml", []wantProblem{
		{3, 3, "services.web.enviroment", "clé « enviroment » inconnue ici (vouliez-vous dire « environment » ?)"},
		{9, 12, "services.web.ports", "doit être une liste (reçu : nombre)"},
		{11, 13, "services.web.healthcheck.test", "doit être une chaîne ou une liste (reçu : nombre)"},
		{12, 16, "services.web.healthcheck.retries", "doit être un entier (reçu : « many »)"},
		{15, 20, "services.web.depends_on.db.condition", "valeur attendue parmi"},
		{18, 44, "services.db.security_opt[1]", "élément en double : déjà présent ligne 18"},
		{20, 7, "services.db.build.contex", "clé « contex » inconnue ici (vouliez-vous dire « context » ?)"},
	}, `services.web.healthcheck.retries: failed to cast to expected type: strconv.Atoi: parsing "many"`},
	{"required.yaml", []wantProblem{{5, 7, "services.web.depends_on.db", "clé obligatoire « condition » manquante"}},
		"services.web.depends_on.db missing property 'condition'"},
	{"keys.yaml", []wantProblem{
		{4, 7, "services.web.sysctls.1", "clé « 1 » lue comme un nombre : Compose n'accepte que des chaînes comme clés"},
		{6, 7, "services.web.labels.true", "clé « true » lue comme un booléen"},
	}, "non-string key"},
	{"top-level-list.yaml", []wantProblem{{1, 1, "", "le fichier doit être un objet"}}, "top-level object must be a mapping"},
	{"service-name.yaml", []wantProblem{{2, 3, "services.web app", "nom « web app » invalide : il doit correspondre à ^[a-zA-Z0-9._-]+$"}},
		"additional properties 'web app' not allowed"},
	{"alias-error.yaml", []wantProblem{{3, 3, "services.a.imagee", "clé « imagee » inconnue ici"}},
		"additional properties 'imagee' not allowed"},
	{"types.yaml", []wantProblem{
		{4, 16, "services.web.read_only", "doit être un booléen ou une chaîne (reçu : liste)"},
		{5, 18, "services.web.environment", "doit être un objet ou une liste (reçu : chaîne)"},
		{6, 17, "services.web.cpu_shares", "doit être un entier (reçu : « yes »)"},
		{7, 5, "services.web.volumes", "doit être une liste (reçu : objet)"},
		{9, 5, "services.web.healthcheck", "doit être un objet (reçu : valeur vide)"},
	}, `services.web.cpu_shares: failed to cast to expected type: strconv.ParseInt: parsing "yes"`},
}

func TestLocate(t *testing.T) {
	for _, tc := range locateCases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/positions", tc.file))
			require.NoError(t, err)
			got := Locate(tc.file, data)
			for _, p := range got {
				t.Log(p)
			}
			require.Len(t, got, len(tc.want))
			for i, w := range tc.want {
				p := got[i]
				assert.Equal(t, tc.file, p.File)
				assert.Equal(t, fmt.Sprintf("%d:%d", w.line, w.col), fmt.Sprintf("%d:%d", p.Line, p.Column), p.String())
				assert.Equal(t, w.path, p.Path)
				assert.Contains(t, p.Message, w.msg)
				assertBilingual(t, p)
			}
		})
	}
}

// The test files say what they claim: compose-go rejects exactly the broken ones.
func TestLocateCasesAgainstComposeGo(t *testing.T) {
	for _, tc := range locateCases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/positions", tc.file))
			require.NoError(t, err)
			_, err = loadComposeGo(context.Background(), t.TempDir(), data)
			if tc.composeGo == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			t.Log(err)
			assert.Contains(t, err.Error(), tc.composeGo)
		})
	}
}

func TestLocateSortedAndCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("services:\n  web:\n    image: nginx\n")
	for i := 30; i > 0; i-- {
		fmt.Fprintf(&b, "    zz%02d: x\n", i)
	}
	b.WriteString("    ports: 80\n")
	got := Locate("compose.yaml", []byte(b.String()))
	require.Len(t, got, maxProblems)
	for i := 1; i < len(got); i++ {
		assert.Less(t, got[i-1].Line, got[i].Line)
	}
	assert.Equal(t, 4, got[0].Line)
	assert.Equal(t, "services.web.zz30", got[0].Path)
}

func TestLocateScreensFirst(t *testing.T) {
	got := Locate("compose.yaml", []byte(billionLaughs(9, 9, "")))
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Message, "alias trop nombreux")
}

func TestLocateNullDocument(t *testing.T) {
	got := Locate("compose.yaml", []byte("~\n"))
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Message, "le fichier doit être un objet")
}

func TestLocateEmpty(t *testing.T) {
	assert.Nil(t, Locate("compose.yaml", nil))
	assert.Nil(t, Locate("compose.yaml", []byte("# rien\n")))
}
