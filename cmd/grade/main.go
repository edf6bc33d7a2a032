// Command grade grades the labs of the "Docker Deep Dive" course on a real Docker engine.
package main

import (
	"os"

	"github.com/ddlab/grade/internal/cli"
)

func main() { os.Exit(cli.Main()) }
