package cli

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/internal/rightsize"
)

// importRightsizer right-sizes each customer managed policy of a principal against the
// principal's usage: `ciem import --rightsize` writes the right-sized documents into the
// resources it imports, so that the first plan shows exactly the reduction.
type importRightsizer struct {
	sources      []string
	since, until string
	keep         []string
	awsConfig    aws.Config
}

// importPolicyDoc is one policy document a resource is written with.
type importPolicyDoc struct {
	name     string
	doc      []byte
	comments []string
}

// importRightsized is a principal's granted policies and usage, read once.
type importRightsized struct {
	rs  *importRightsizer
	res *rightsize.Result
}

// forPrincipal reads the principal's granted policies and its usage digest.
func (rs *importRightsizer) forPrincipal(ctx context.Context, p awsx.Principal) (*importRightsized, error) {
	if p.Kind != awsx.KindRole && p.Kind != awsx.KindUser {
		return nil, fmt.Errorf("--rightsize: %s is a %s; usage is attributed to roles and users, so only they can be right-sized", p.ARN, p.Kind)
	}
	opts := rightsize.DefaultOptions()
	opts.Keep = rs.keep
	res, err := rightsize.Run(ctx, rightsize.Config{
		Principal: p.ARN,
		Sources:   rs.sources,
		Since:     rs.since,
		Until:     rs.until,
		AWSConfig: func(context.Context) (aws.Config, error) { return rs.awsConfig, nil },
		Options:   opts,
	})
	if err != nil {
		return nil, fmt.Errorf("right-sizing %s: %w", p.ARN, err)
	}
	return &importRightsized{rs: rs, res: res}, nil
}

// policy right-sizes one customer managed policy of the principal on its own (with the
// principal's permissions boundary): the actions of it that were used, or that no log can
// show. A suggestion too large for one policy comes back in parts; the first replaces the
// imported policy. A policy none of whose actions is kept keeps its document, with a note.
func (r *importRightsized) policy(mp awsx.ManagedPolicy) ([]importPolicyDoc, error) {
	gr := r.res.Granted
	sub := &rightsize.Granted{Principal: gr.Principal, Boundary: gr.Boundary}
	for _, gp := range gr.Policies {
		if gp.Source == rightsize.SourceManaged && gp.ARN == mp.ARN {
			sub.Policies = append(sub.Policies, gp)
		}
	}
	if len(sub.Policies) == 0 {
		return nil, fmt.Errorf("right-sizing %s: %s is not among the policies read as granted", gr.Principal, mp.ARN)
	}
	opts := rightsize.DefaultOptions()
	opts.Keep = r.rs.keep
	opts.Name = mp.Name
	s, err := rightsize.Suggest(rightsize.Input{Principal: gr.Principal, Granted: sub, Digest: r.res.Digest}, opts)
	if err != nil {
		return nil, fmt.Errorf("right-sizing %s: %w", mp.ARN, err)
	}
	sm := s.Summary
	comments := []string{fmt.Sprintf("Right-sized by ciem from usage %s: %d of %d granted actions kept (%d used, %d without evidence of use), %d removed.",
		importWindow(s.Window), sm.UsedActions+sm.KeptUnobservedActions, sm.GrantedActions, sm.UsedActions, sm.KeptUnobservedActions, sm.RemovedActions)}
	for _, u := range s.KeptUnobserved {
		comments = append(comments, fmt.Sprintf("Kept without evidence: %s (%s).", u.Action, u.Reason))
	}
	for _, d := range s.Denied {
		comments = append(comments, fmt.Sprintf("Asked for and denied, not added: %s (%d times).", d.Action, d.Count))
	}
	if sm.UsedActions+sm.KeptUnobservedActions == 0 || len(s.Policies) == 0 {
		comments = append(comments, "Nothing this policy grants was used in the window: it is kept as it is; remove it if it is not needed.")
		return []importPolicyDoc{{name: mp.Name, doc: mp.Document, comments: comments}}, nil
	}
	out := make([]importPolicyDoc, 0, len(s.Policies))
	for i, p := range s.Policies {
		d := importPolicyDoc{name: p.Name, doc: p.Policy}
		if i == 0 {
			d.name, d.comments = mp.Name, comments
		} else {
			d.comments = []string{fmt.Sprintf("Part %d of the right-sized %s, which is too large for one policy.", i+1, mp.Name)}
		}
		out = append(out, d)
	}
	return out, nil
}

func importWindow(w rightsize.Window) string {
	switch {
	case w.Since.IsZero() && w.Until.IsZero():
		return "over all time"
	case w.Until.IsZero():
		return "since " + w.Since.UTC().Format("2006-01-02 15:04 UTC")
	case w.Since.IsZero():
		return "until " + w.Until.UTC().Format("2006-01-02 15:04 UTC")
	}
	return "from " + w.Since.UTC().Format("2006-01-02 15:04 UTC") + " to " + w.Until.UTC().Format("2006-01-02 15:04 UTC")
}
