// Command grade grades the labs of the "Docker Deep Dive" course on a real Docker engine.
package main

import (
	"io"
	"os"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cli"
)

func main() {
	// Libraries underneath (go-archive, the BuildKit session) log through logrus; their
	// messages would interleave with the report. grade reports failures itself.
	logrus.SetOutput(io.Discard)
	// Commands in the order the help lists them: the course's labs 1…14, not lab1, lab10…
	cobra.EnableCommandSorting = false
	os.Exit(cli.Main())
}
