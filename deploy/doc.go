// Package deploy holds the files that run `grade batch` past one machine: a GitHub Actions
// matrix workflow and a Kubernetes Indexed Job. Its tests validate them offline.
package deploy
