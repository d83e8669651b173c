package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"
	"github.com/zclconf/go-cty/cty"

	"github.com/ciem/ciem/internal/awsx"
	"github.com/ciem/ciem/internal/rightsize"
)

// Helpers here are prefixed "import" so that they never clash with other commands' files.

// importVersionsFile is written beside the principal files when the folder has none, so
// that the folder is ready for `tofu plan` once it has a provider block.
const importVersionsFile = "versions.tf"

func newImportCmd() *cobra.Command {
	var (
		principals []string
		out        string
		force      bool
		region     string
		profile    string
		endpoint   string
		rs         importRightsizer
	)
	cmd := &cobra.Command{
		Use:   "import --principal ARN... [--rightsize SOURCE...] [--out DIR]",
		Short: "Write import blocks and ciem_entitlement resources for the policies principals hold",
		Long: `Read the customer managed policies attached to each principal (an IAM role, user or group)
and write, for each, an import block and the ciem_entitlement resource that takes it over, so
that ` + "`tofu plan`" + ` (or ` + "`terraform plan`" + `) imports them and changes nothing.

AWS managed policies and inline policies attached to the principal cannot become
ciem_entitlement resources; they are listed in comments so that nothing goes unseen.

With --rightsize SOURCE (repeatable; the sources of ` + "`ciem rightsize --source`" + `), each
imported policy is right-sized against the principal's usage in the window (--since, default
90d): the resource keeps the policy's used actions (scoped to the resources they were used
on where the evidence allows) and those no log can show, so that the first plan imports the
policy and shows exactly what is taken away. Only roles and users can be right-sized.

Without --out the HCL goes to standard output. With --out DIR, each principal gets its own
file, DIR/<kind>-<name>.tf, and DIR/versions.tf declares the ciem provider unless the folder
already has one; existing principal files are not overwritten without --force.

AWS access: the standard chain (environment, shared config, --profile), as the AWS CLI;
--endpoint-url (or AWS_ENDPOINT_URL) points it at another endpoint, such as ` + "`ciem sandbox`" + `.`,
		Example: `  ciem import --principal arn:aws:iam::111122223333:role/app --out ./entitlements
  ciem import --principal arn:aws:iam::111122223333:role/app --rightsize lookup-events --rightsize access-advisor --out ./entitlements
  ciem import --principal arn:aws:iam::111122223333:role/app --principal arn:aws:iam::111122223333:group/ops`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(principals) == 0 {
				return errors.New("--principal: at least one principal ARN is required")
			}
			for _, arn := range principals {
				if _, err := awsx.ParsePrincipalARN(arn); err != nil {
					return fmt.Errorf("--principal: %w", err)
				}
			}
			ctx := cmd.Context()
			cfg, err := importAWSConfig(ctx, region, profile, endpoint)
			if err != nil {
				return err
			}
			var rsp *importRightsizer
			if len(rs.sources) > 0 {
				rs.awsConfig = cfg
				rsp = &rs
			}
			files, err := importGenerate(ctx, awsx.NewIAM(cfg), principals, rsp)
			if err != nil {
				return err
			}
			if out == "" {
				for i, f := range files {
					if i > 0 {
						fmt.Fprintln(cmd.OutOrStdout())
					}
					if _, err := cmd.OutOrStdout().Write(f.content); err != nil {
						return err
					}
				}
				return nil
			}
			return importWriteFiles(cmd.ErrOrStderr(), out, files, force)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&principals, "principal", nil, "ARN of a role, user or group whose policies to import (repeatable)")
	f.StringVar(&out, "out", "", "folder to write the .tf files into (default: standard output)")
	f.BoolVar(&force, "force", false, "overwrite existing principal files in --out")
	f.StringVar(&region, "region", "", "AWS region (default: the SDK's resolution, then us-east-1)")
	f.StringVar(&profile, "profile", "", "named profile of the shared AWS config")
	f.StringVar(&endpoint, "endpoint-url", "", "AWS endpoint URL for every service, e.g. http://127.0.0.1:4566 for ciem sandbox")
	f.StringArrayVar(&rs.sources, "rightsize", nil, "right-size the imported policies from this usage source (repeatable): cloudtrail-dir=PATH, cloudtrail-s3=s3://BUCKET/PREFIX, lookup-events[=REGION,...], access-advisor[=ARN,...]")
	f.StringVar(&rs.since, "since", "90d", "with --rightsize: start of the usage window (90d, 2w, a date, an RFC 3339 time, or all)")
	f.StringVar(&rs.until, "until", "", "with --rightsize: end of the usage window (default now)")
	f.StringArrayVar(&rs.keep, "keep", nil, "with --rightsize: action pattern to keep when granted, used or not (repeatable)")
	return cmd
}

func importAWSConfig(ctx context.Context, region, profile, endpoint string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1" // IAM is global and signs in us-east-1
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	return cfg, nil
}

// importFile is one generated file.
type importFile struct {
	name    string // DIR-relative file name
	content []byte
}

// importGenerate reads each principal's policies and writes one file per principal.
// Resource names are unique across all the files.
func importGenerate(ctx context.Context, client *awsx.IAM, principals []string, rs *importRightsizer) ([]importFile, error) {
	used := map[string]bool{}
	var files []importFile
	for _, arn := range principals {
		p, err := client.FindPrincipal(ctx, arn)
		if err != nil {
			return nil, fmt.Errorf("principal %s: %w", arn, err)
		}
		pp, err := client.ReadPrincipalPolicies(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("principal %s: %w", arn, err)
		}
		docs := func(mp awsx.ManagedPolicy) ([]importPolicyDoc, error) {
			return []importPolicyDoc{{name: mp.Name, doc: mp.Document}}, nil
		}
		if rs != nil {
			r, err := rs.forPrincipal(ctx, p)
			if err != nil {
				return nil, err
			}
			docs = r.policy
		}
		content, err := importPrincipalHCL(pp, used, docs)
		if err != nil {
			return nil, fmt.Errorf("principal %s: %w", arn, err)
		}
		files = append(files, importFile{name: string(p.Kind) + "-" + p.Name + ".tf", content: content})
	}
	return files, nil
}

// importPrincipalHCL writes the import blocks and resources for one principal; docs gives
// the document (or, right-sized, documents) each imported policy is written with.
func importPrincipalHCL(pp awsx.PrincipalPolicies, used map[string]bool, docs func(awsx.ManagedPolicy) ([]importPolicyDoc, error)) ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	importComment(body, "Entitlements of "+pp.Principal.ARN+", written by `ciem import`.")
	managed := append([]awsx.ManagedPolicy(nil), pp.Managed...)
	sort.Slice(managed, func(i, j int) bool { return managed[i].ARN < managed[j].ARN })
	var awsManaged []string
	n := 0
	for _, mp := range managed {
		if importIsAWSManaged(mp.ARN) {
			awsManaged = append(awsManaged, mp.ARN)
			continue
		}
		pds, err := docs(mp)
		if err != nil {
			return nil, err
		}
		for i, pd := range pds {
			policy, err := importPolicyTokens(pd.doc)
			if err != nil {
				return nil, fmt.Errorf("policy %s: %w", mp.ARN, err)
			}
			name := importResourceName(pd.name, used)
			body.AppendNewline()
			if i == 0 {
				ib := body.AppendNewBlock("import", nil)
				ib.Body().SetAttributeTraversal("to", hcl.Traversal{hcl.TraverseRoot{Name: "ciem_entitlement"}, hcl.TraverseAttr{Name: name}})
				ib.Body().SetAttributeValue("id", cty.StringVal(mp.ARN))
				body.AppendNewline()
			}
			for _, c := range pd.comments {
				importComment(body, c)
			}
			e := rightsize.Entitlement{PrincipalARN: pp.Principal.ARN, Name: pd.name, Path: mp.Path, Policy: policy}
			// IAM cannot change a description: the imported policy keeps its own.
			if i == 0 {
				e.Description = mp.Description
			}
			rightsize.AppendEntitlement(body, name, e)
		}
		n++
	}
	if n == 0 {
		body.AppendNewline()
		importComment(body, "No customer managed policy is attached to this principal.")
	}
	if len(awsManaged) > 0 {
		body.AppendNewline()
		importComment(body, "AWS managed policies stay as they are (ciem_entitlement manages customer managed policies):")
		for _, arn := range awsManaged {
			importComment(body, "  "+arn)
		}
	}
	if len(pp.Inline) > 0 {
		body.AppendNewline()
		importComment(body, "Inline policies stay as they are (ciem_entitlement manages customer managed policies):")
		names := make([]string, 0, len(pp.Inline))
		for _, ip := range pp.Inline {
			names = append(names, ip.Name)
		}
		sort.Strings(names)
		for _, name := range names {
			importComment(body, "  "+name)
		}
	}
	return hclwrite.Format(f.Bytes()), nil
}

func importComment(body *hclwrite.Body, text string) {
	body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# " + text + "\n")}})
}

func importIsAWSManaged(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[4] == "aws"
}

// importResourceName turns a policy name into a Terraform resource name, unique among
// those already used: lower case, runs of other characters as one underscore.
func importResourceName(policyName string, used map[string]bool) string {
	var b strings.Builder
	lastUnderscore := false
	for _, r := range strings.ToLower(policyName) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			lastUnderscore = false
			continue
		}
		if !lastUnderscore && b.Len() > 0 {
			b.WriteByte('_')
			lastUnderscore = true
		}
	}
	name := strings.TrimSuffix(b.String(), "_")
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "policy_" + name
	}
	base := name
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	used[name] = true
	return name
}

// importWriteFiles writes the files into dir, and versions.tf when dir has none.
func importWriteFiles(log io.Writer, dir string, files []importFile, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if !force {
		for _, f := range files {
			p := filepath.Join(dir, f.name)
			if _, err := os.Stat(p); err == nil {
				return fmt.Errorf("%s exists: move it away or pass --force to overwrite it", p)
			}
		}
	}
	versions := filepath.Join(dir, importVersionsFile)
	if _, err := os.Stat(versions); errors.Is(err, os.ErrNotExist) {
		files = append(files, importFile{name: importVersionsFile, content: importVersionsHCL()})
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, f.content, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", p, err)
		}
		fmt.Fprintln(log, "wrote", p)
	}
	return nil
}

func importVersionsHCL() []byte {
	var b bytes.Buffer
	b.WriteString("# Written by `ciem import`. Add a provider \"ciem\" block for your account (or the sandbox).\n")
	b.WriteString("terraform {\n  required_providers {\n    ciem = {\n      source = \"ciem/ciem\"\n    }\n  }\n}\n")
	return b.Bytes()
}
