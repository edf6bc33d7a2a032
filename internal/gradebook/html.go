package gradebook

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"path"
)

//go:embed class-report.html.tmpl
var classTemplate string

// HTML writes the class report: one self-contained page (inline CSS and SVG, no script, no
// network) that opens from the results folder, where its links to each report resolve.
// It shows no time of grading, so that the same results always give the same bytes.
func HTML(w io.Writer, b *Book) error {
	t, err := template.New("class").Funcs(template.FuncMap{
		"num":    num,
		"report": func(id string) string { return path.Join(SubDir, id, ReportFile) },
		"log":    func(id string) string { return path.Join(SubDir, id, LogFile) },
		"en":     func() bool { return b.Meta.Lang == "en" },
		"pct": func(f, max float64) string {
			if max == 0 {
				return "0"
			}
			return fmt.Sprintf("%.0f", 100*f/max)
		},
	}).Parse(classTemplate)
	if err != nil {
		return err
	}
	return t.Execute(w, view{Book: b, Bars: bars(b.Bins), Hardest: b.Hardest(5)})
}

type view struct {
	*Book
	Bars    []bar
	Hardest []CheckStat
}

// bar is one column of the SVG histogram, laid out here so the template only prints numbers.
type bar struct {
	X, Y, H, Count int
	Label          string
}

func bars(bins [10]int) []bar {
	top := 1
	for _, n := range bins {
		top = max(top, n)
	}
	const height = 120
	out := make([]bar, len(bins))
	for i, n := range bins {
		h := n * height / top
		out[i] = bar{X: 40 + i*44, Y: 10 + height - h, H: h, Count: n, Label: fmt.Sprintf("%d", i*10)}
	}
	return out
}
