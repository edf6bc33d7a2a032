// Command quizkey prints the quiz-answers line of a lab spec from the letters, for instructors:
//
//	go run ./tools/quizkey -salt ddlab-lab1-7f3c91e2 q1=b q2=c q3=a q4=d
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/ddlab/grade/internal/quizkey"
)

func main() {
	salt := flag.String("salt", "", "the spec's params.quiz-salt")
	flag.Parse()
	if *salt == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: quizkey -salt SALT q1=b q2=c …")
		os.Exit(2)
	}
	var out []string
	for _, a := range flag.Args() {
		q, letter, ok := strings.Cut(a, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "quizkey: %q is not qN=letter\n", a)
			os.Exit(2)
		}
		out = append(out, q+"="+quizkey.Digest(*salt, q, letter))
	}
	fmt.Printf("quiz-answers: %q\n", strings.Join(out, " "))
}
