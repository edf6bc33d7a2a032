// Package greet formule des salutations en français.
//
// C'est un petit module de démonstration servi par le proxy Go hors ligne
// des labs (third_party/goproxy) : il ne dépend de rien d'autre.
package greet

// Hello renvoie une salutation en français, par exemple « Bonjour, Docker ».
// Un nom vide donne « Bonjour, tout le monde ».
func Hello(name string) string {
	if name == "" {
		name = "tout le monde"
	}
	return "Bonjour, " + name
}
