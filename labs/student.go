//go:build !instructor

package labs

import "embed"

// Instructor tells whether this build holds the reference solutions.
const Instructor = false

// FS holds catalog.yaml, every labN.yaml and every labN/_starter tree, for the labs present.
//
//go:embed catalog.yaml lab*.yaml all:lab*/_starter
var FS embed.FS
