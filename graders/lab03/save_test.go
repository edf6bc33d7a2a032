package lab03

import (
	"testing"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
	"github.com/ddlab/grade/internal/imagetar"
	"github.com/ddlab/grade/internal/script"
)

// saved is a `docker save` archive of one image whose config has digest id, tagged tags.
func saved(id string, tags ...string) *imagetar.Archive {
	return &imagetar.Archive{Manifest: []imagetar.Image{{Config: "blobs/sha256/c", RepoTags: tags}}, Digests: map[string]string{"blobs/sha256/c": id}}
}

func TestJudgeSave(t *testing.T) {
	ran := &script.Result{}
	file := &archiveFile{Regular: true, Size: 4 << 20}
	good := &archiveObs{Archive: saved(builtID, imageRef)}
	two := saved(builtID, imageRef)
	two.Manifest = append(two.Manifest, imagetar.Image{Config: "blobs/sha256/c"})
	tests := []struct {
		name string
		o    saveObs
		done bool
		want check.Status
		msg  string
	}{
		{"before export.sh", saveObs{}, false, 0, ""},
		{"before the file is looked at", saveObs{Script: ran}, false, 0, ""},
		{"before the archive is read", saveObs{Script: ran, File: file}, false, 0, ""},
		{"before docker load", saveObs{Script: ran, File: file, Archive: good}, false, 0, ""},
		{"solution", saveObs{Script: ran, File: file, Archive: good, Load: &loadObs{IDs: []string{builtID}}}, true, check.Pass, "out/site.tar (4.194MB) se recharge"},
		{"fixture fail-context-cleanup: the image is gone", saveObs{Gone: true}, true, check.Fail, "n'existe plus"},
		{"fixture starter: export.sh exits 1", saveObs{Script: &script.Result{ExitCode: 1}}, true, check.Fail, "export.sh s'est terminé avec le code 1"},
		{"no archive written", saveObs{Script: ran, File: &archiveFile{Missing: true}}, true, check.Fail, "n'a pas écrit out/site.tar"},
		{"a symbolic link", saveObs{Script: ran, File: &archiveFile{Size: 10}}, true, check.Fail, "pas un fichier ordinaire"},
		{"unreadable", saveObs{Script: ran, File: &archiveFile{Regular: true, Err: "permission denied"}}, true, check.Fail, "illisible : permission denied"},
		{"too big", saveObs{Script: ran, File: &archiveFile{Regular: true, Size: 100 << 20}}, true, check.Fail, "plus que 67.11MB"},
		{"not a tar", saveObs{Script: ran, File: file, Archive: &archiveObs{ReadErr: "archive/tar: invalid tar header"}}, true, check.Fail, "pas une archive `docker save` lisible"},
		{"two images in one archive", saveObs{Script: ran, File: file, Archive: &archiveObs{Archive: two}}, true, check.Fail, "2 images in manifest.json"},
		{"the base saved instead", saveObs{Script: ran, File: file, Archive: &archiveObs{Archive: saved(baseID, "ddlab/busybox:1")}}, true, check.Fail, "contient une autre image (222222222222)"},
		{"the image under a foreign name", saveObs{Script: ran, File: file, Archive: &archiveObs{Archive: saved(builtID, imageRef, "ddlab/busybox:1")}}, true, check.Fail, "noms étrangers au lab au chargement : ddlab/busybox:1"},
		{"docker load refuses", saveObs{Script: ran, File: file, Archive: good, Load: &loadObs{Err: "unexpected EOF"}}, true, check.Fail, "docker load refuse out/site.tar : unexpected EOF"},
		{"docker load gives another image", saveObs{Script: ran, File: file, Archive: good, Load: &loadObs{IDs: []string{baseID}}}, true, check.Fail, "donne l'image 222222222222"},
		{"docker load loads nothing", saveObs{Script: ran, File: file, Archive: good, Load: &loadObs{}}, true, check.Fail, "ne charge aucune image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.WantID, tt.o.Limit = builtID, 64<<20
			o, done := judgeSave(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}
