package cliutil

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"

	"github.com/ddlab/grade/internal/check"
)

// ParseLang checks a --lang value: fr or en.
func ParseLang(v string) (string, error) {
	switch v {
	case "fr", "en":
		return v, nil
	}
	return "", Errorf("il faut fr ou en", "expected fr or en")
}

// LangFromArgs is the value of the last --lang of a command line ("--lang en" or
// "--lang=en"), "" when there is none. What follows a bare "--" is an argument, not a flag.
func LangFromArgs(args []string) string {
	v := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return v
		case a == "--lang" && i+1 < len(args):
			v = args[i+1]
			i++
		case strings.HasPrefix(a, "--lang="):
			v = strings.TrimPrefix(a, "--lang=")
		}
	}
	return v
}

// EnvLang is the language the environment asks for: the first of LC_ALL, LC_MESSAGES and LANG
// that is set decides, English when it starts with "en", French otherwise; French when none is.
func EnvLang(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "en") {
			return "en"
		}
		return "fr"
	}
	return "fr"
}

// DecideLang is the language of a whole run: --lang in args when it is fr or en, else the
// environment's. A bad --lang is left to the flag, which refuses it (a usage error, said in
// the environment's language).
func DecideLang(args []string, getenv func(string) string) string {
	if l, err := ParseLang(LangFromArgs(args)); err == nil {
		return l
	}
	if getenv == nil {
		return "fr"
	}
	return EnvLang(getenv)
}

// LangValue is the --lang flag: it only checks the value, the language being decided before
// the flags are parsed (DecideLang).
type LangValue struct{ v string }

func (l *LangValue) String() string { return l.v }
func (l *LangValue) Type() string   { return "lang" }

// Set accepts fr or en.
func (l *LangValue) Set(v string) error {
	lang, err := ParseLang(v)
	if err != nil {
		return err
	}
	l.v = lang
	return nil
}

// Why says why a file operation failed, in both languages and without the path, which the
// sentence around it names (and which may be a temporary file of grade's own).
func Why(err error) check.Text {
	for _, w := range []struct {
		target error
		fr, en string
	}{
		{fs.ErrNotExist, "introuvable", "not found"},
		{fs.ErrPermission, "accès refusé", "permission denied"},
		{fs.ErrExist, "existe déjà", "already exists"},
		{syscall.ENOTDIR, "un élément du chemin n'est pas un dossier", "part of the path is not a folder"},
		{syscall.EISDIR, "c'est un dossier", "it is a folder"},
		{syscall.ENOSPC, "plus de place sur le disque", "no space left on the disk"},
		{syscall.EROFS, "système de fichiers en lecture seule", "read-only file system"},
	} {
		if errors.Is(err, w.target) {
			return check.Text{FR: w.fr, EN: w.en}
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return check.Text{FR: err.Error(), EN: err.Error()}
}
