package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/ddlab/grade/internal/check"
)

// SARIF writes a SARIF 2.1.0 log for GitHub code scanning (upload-sarif): one run whose
// driver lists a rule per check of the report, and one result per failed check. GitHub
// needs a location on every result, so a check without a file points at the submission
// folder, line 1. partialFingerprints are filled in (lab, check, place) so an upload
// through the API does not duplicate alerts, and automationDetails.id is "grade/<lab>/" so
// several labs can be uploaded for one commit. Level: error for a failed gate or required
// check, warning for a bonus. A check grade could not decide becomes a tool notification,
// not a result: it is not a finding on the student's code.
type SARIF struct{}

var _ Writer = SARIF{}

// sarifSchema is the $schema GitHub's documentation gives.
const sarifSchema = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool         `json:"tool"`
	AutomationDetails sarifAutomation   `json:"automationDetails"`
	Invocations       []sarifInvocation `json:"invocations"`
	Results           []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri,omitempty"`
	Rules           []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	ShortDescription     sarifMessage   `json:"shortDescription"`
	FullDescription      sarifMessage   `json:"fullDescription"`
	Help                 sarifMessage   `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags      []string `json:"tags"`
	Precision string   `json:"precision"`
	Severity  string   `json:"problem.severity"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level      string              `json:"level"`
	Message    sarifMessage        `json:"message"`
	Descriptor *sarifDescriptorRef `json:"descriptor,omitempty"`
}

type sarifDescriptorRef struct {
	ID string `json:"id"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// sarifFullMax is GitHub's limit on fullDescription.text.
const sarifFullMax = 1000

// Write renders r as SARIF to w.
func (SARIF) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	r = sanitized(r)
	l := labelsFor(r.Lang)
	run := sarifRun{
		Tool:              sarifTool{Driver: sarifDriver{Name: "grade", SemanticVersion: semver(r.ToolVersion), Rules: []sarifRule{}}},
		AutomationDetails: sarifAutomation{ID: "grade/" + r.Lab + "/"},
		Invocations:       []sarifInvocation{{ExecutionSuccessful: r.Error == ""}},
		Results:           []sarifResult{},
	}
	inv := &run.Invocations[0]
	if r.Error != "" {
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error", Message: sarifMessage{Text: r.Error}})
	}
	for i, res := range r.Results {
		level := "error"
		if res.Kind == kindBonus {
			level = "warning"
		}
		full := res.Title
		if r.Title != "" {
			full += " (" + r.Lab + " — " + r.Title + ")"
		}
		help := res.Hint
		if help == "" {
			help = res.Title
		}
		tags := []string{r.Lab}
		if res.Kind != "" {
			tags = append(tags, res.Kind)
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:                   res.ID,
			ShortDescription:     sarifMessage{Text: nonEmpty(res.Title, res.ID)},
			FullDescription:      sarifMessage{Text: truncateRunes(full, sarifFullMax)},
			Help:                 sarifMessage{Text: help},
			DefaultConfiguration: sarifConfig{Level: level},
			Properties:           sarifRuleProps{Tags: tags, Precision: "very-high", Severity: level},
		})
		switch res.Status {
		case check.Error:
			inv.Notifications = append(inv.Notifications, sarifNotification{
				Level: "warning", Message: sarifMessage{Text: nonEmpty(explainText(l, r, res), res.ID)},
				Descriptor: &sarifDescriptorRef{ID: res.ID},
			})
			continue
		case check.Fail:
		default:
			continue
		}
		p, line := placeOf(r, res)
		msg := res.Title
		if pts := l.pointsOf(res); pts != "" {
			msg += " (" + pts + ")"
		}
		if ex := explainText(l, r, res); ex != "" {
			msg += "\n" + ex
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:    res.ID,
			RuleIndex: i,
			Level:     level,
			Message:   sarifMessage{Text: msg},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: p},
				Region:           sarifRegion{StartLine: line},
			}}},
			PartialFingerprints: map[string]string{"gradeFinding/v1": fingerprint(r.Lab, res.ID, p)},
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}}); err != nil {
		return fmt.Errorf("encode sarif: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// semver returns v when it looks like a semantic version ("1.4.0"), else "" (a "dev"
// build), since SARIF's semanticVersion must be one.
func semver(v string) string {
	dots := 0
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && i > 0:
			dots++
		default:
			return ""
		}
	}
	if dots != 2 {
		return ""
	}
	return v
}
