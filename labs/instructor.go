//go:build instructor

package labs

import "embed"

// Instructor tells whether this build holds the reference solutions.
const Instructor = true

// FS holds what the student build does plus every labN/_solution tree.
//
//go:embed catalog.yaml lab*.yaml all:lab*/_starter all:lab*/_solution
var FS embed.FS
