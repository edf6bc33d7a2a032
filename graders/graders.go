// Package graders lists every lab grader. Adding a lab means adding one line here.
package graders

import (
	"github.com/ddlab/grade/graders/lab01"
	"github.com/ddlab/grade/graders/lab02"
	"github.com/ddlab/grade/graders/lab03"
	"github.com/ddlab/grade/graders/lab04"
	"github.com/ddlab/grade/graders/lab05"
	"github.com/ddlab/grade/graders/lab06"
	"github.com/ddlab/grade/graders/lab07"
	"github.com/ddlab/grade/graders/lab08"
	"github.com/ddlab/grade/graders/lab10"
	"github.com/ddlab/grade/graders/lab13"
	"github.com/ddlab/grade/internal/grader"
)

// All returns the graders in course order.
func All() []grader.Grader {
	return []grader.Grader{
		lab01.New(),
		lab02.New(),
		lab03.New(),
		lab04.New(),
		lab05.New(),
		lab06.New(),
		lab07.New(),
		lab08.New(),
		lab10.New(),
		lab13.New(),
	}
}
