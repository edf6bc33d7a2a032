package lab01

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
	"github.com/ddlab/grade/internal/scriptlab"
)

// response is what a GET on the published port got.
type response struct {
	Status int
	Body   string
}

// get fetches url from the grader's host, retrying failed connections until wait has passed
// (the app may still be starting, and docker-proxy accepts before the app listens). Any
// HTTP status is an answer. The error says why nothing answered.
func get(ctx context.Context, url string, wait time.Duration) (response, error) {
	c := scriptlab.NewClient(3 * time.Second)
	c.UserAgent = "ddlab-grade"
	rep := c.GetReady(ctx, url, wait, nil, nil)
	switch {
	case rep.Err != nil && ctx.Err() != nil:
		return response{}, ctx.Err()
	case rep.Err != nil:
		return response{}, rep.Err
	}
	return response{Status: rep.Status, Body: rep.Body}, nil
}

func (s *state) checkHTTP(ctx context.Context) (check.Outcome, error) {
	info, err := s.kit.EngineInfo(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if info.Remote {
		return remoteSkip(s.run.Engine.Host()), nil
	}
	if err := s.runs(ctx); err != nil {
		return check.Outcome{}, err
	}
	port, err := s.kit.Param("host-port")
	if err != nil {
		return check.Outcome{}, err
	}
	greeting, err := s.kit.Param("greeting")
	if err != nil {
		return check.Outcome{}, err
	}
	wait, err := s.kit.Duration("http-wait")
	if err != nil {
		return check.Outcome{}, err
	}
	url := "http://127.0.0.1:" + port + "/"
	resp, gerr := get(ctx, url, wait)
	if gerr != nil && ctx.Err() != nil {
		return check.Outcome{}, ctx.Err()
	}
	return judgeHTTP(url, resp, gerr, greeting, wait), nil
}

// judgeHTTP: 200, and a body that starts with the greeting the contract sets.
func judgeHTTP(url string, resp response, err error, greeting string, wait time.Duration) check.Outcome {
	want := check.T("HTTP 200, « %s depuis <nom d'hôte> »", "HTTP 200, \"%s depuis <hostname>\"", greeting)
	switch {
	case err != nil:
		return check.Failf("Rien ne répond sur %s (essayé pendant %s) : le port est-il publié sur 127.0.0.1 ?",
			"Nothing answers on %s (tried for %s): is the port published on 127.0.0.1?", url, check.Duration(wait)).
			WithT(want, probe.NetReason(err))
	case resp.Status != http.StatusOK:
		return check.Failf("GET %s répond %d.", "GET %s answers %d.", url, resp.Status).
			WithT(want, check.Same("HTTP "+strconv.Itoa(resp.Status)+" "+check.Clip(resp.Body, 120)))
	case !strings.HasPrefix(resp.Body, greeting):
		return check.Failf("La page commence par « %s » : la variable GREETING=%s n'atteint pas l'application.",
			"The page starts with \"%s\": the variable GREETING=%s does not reach the app.", check.Clip(resp.Body, 80), greeting).
			WithT(want, check.Same(check.Clip(resp.Body, 120)))
	}
	return check.Passf("GET %s répond 200 : « %s ».", "GET %s answers 200: \"%s\".", url, check.Clip(resp.Body, 120))
}

func (s *state) checkLoopback(ctx context.Context) (check.Outcome, error) {
	if err := s.runs(ctx); err != nil {
		return check.Outcome{}, err
	}
	appPort, err := s.kit.Param("app-port")
	if err != nil {
		return check.Outcome{}, err
	}
	hostPort, err := s.kit.Param("host-port")
	if err != nil {
		return check.Outcome{}, err
	}
	c, found, err := s.web(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeLoopback(c, found, appPort, hostPort), nil
}

// judgeLoopback: lab1-web exists and publishes its port on loopback only (judgePorts).
func judgeLoopback(c engine.Container, found bool, appPort, hostPort string) check.Outcome {
	if !found {
		return check.Failf("Aucun conteneur %s : rien à inspecter.", "No container %s: nothing to inspect.", webName).
			WithT(check.Same("127.0.0.1:"+hostPort+" → "+appPort+"/tcp"), check.Lit("aucun conteneur", "no container"))
	}
	return judgePorts(c.Ports, appPort+"/tcp", hostPort)
}
