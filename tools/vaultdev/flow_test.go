package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/vault/api"
)

// End to end: the vault api client against vaultdev, whose engine issues credentials from the
// sandbox, and those credentials used against the sandbox.

const listRolesOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}`

// issued is one credential secret as the api client returns it.
type issued struct {
	leaseID                  string
	duration                 int
	renewable                bool
	accessKey, secretKey, st string
}

// creds reads credentials at path (GET), or writes data there (POST) when data is not nil.
func (tv *testVault) creds(t *testing.T, path string, data map[string]any) issued {
	t.Helper()
	var s *api.Secret
	var err error
	if data == nil {
		s, err = tv.client.Logical().Read(path)
	} else {
		s, err = tv.client.Logical().Write(path, data)
	}
	if err != nil {
		t.Fatal(err)
	}
	if s == nil {
		t.Fatal("no secret")
	}
	str := func(k string) string { v, _ := s.Data[k].(string); return v }
	c := issued{leaseID: s.LeaseID, duration: s.LeaseDuration, renewable: s.Renewable, accessKey: str("access_key"), secretKey: str("secret_key"), st: str("session_token")}
	if c.accessKey == "" || c.secretKey == "" {
		t.Fatalf("secret without keys: %v", s.Data)
	}
	return c
}

func (sb *sandbox) callerARN(t *testing.T, c issued) string {
	t.Helper()
	id, err := sb.sts(c.accessKey, c.secretKey, c.st).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with issued credentials: %v", err)
	}
	return aws.ToString(id.Arn)
}

func TestAssumedRole(t *testing.T) {
	tv, sb := vaultOnSandbox(t)
	ctx := context.Background()
	admin := sb.adminIAM()
	trust := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"sts:AssumeRole"}]}`, sb.account)
	role, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("broker-target"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("broker-target"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListRoles","iam:ListUsers"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	// The Vault role's policy_document becomes the session policy: ListRoles only.
	if _, err := tv.client.Logical().Write("aws/roles/target", map[string]any{
		"credential_type": "assumed_role",
		"role_arns":       []string{aws.ToString(role.Role.Arn)},
		"policy_document": listRolesOnly,
	}); err != nil {
		t.Fatal(err)
	}

	c := tv.creds(t, "aws/sts/target", map[string]any{"ttl": "15m", "role_session_name": "grant-42"})
	if !strings.HasPrefix(c.leaseID, "aws/sts/target/") || c.renewable || c.duration < 890 || c.duration > 900 || c.st == "" {
		t.Errorf("secret = %+v, want a non-renewable ~900s lease under aws/sts/target/ with a session token", c)
	}
	if arn, want := sb.callerARN(t, c), fmt.Sprintf("arn:aws:sts::%s:assumed-role/broker-target/grant-42", sb.account); arn != want {
		t.Errorf("caller = %s, want %s", arn, want)
	}
	issuedIAM := sb.iam(c.accessKey, c.secretKey, c.st)
	if _, err := issuedIAM.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles with the session: %v", err)
	}
	if _, err := issuedIAM.ListUsers(ctx, &iam.ListUsersInput{}); err == nil {
		t.Error("ListUsers allowed although the session policy does not grant it")
	}

	// STS leases: not renewable; revocation forgets the lease (the session lives until AWS
	// expires it, as with a real Vault).
	if _, err := tv.client.Sys().Renew(c.leaseID, 600); err == nil || !strings.Contains(err.Error(), "lease is not renewable") {
		t.Errorf("renew: %v", err)
	}
	if err := tv.client.Sys().Revoke(c.leaseID); err != nil {
		t.Fatal(err)
	}
	if _, err := tv.client.Sys().Lookup(c.leaseID); err == nil {
		t.Error("lease still there after revoke")
	}
}

func TestFederationToken(t *testing.T) {
	tv, sb := vaultOnSandbox(t)
	if _, err := tv.client.Logical().Write("aws/roles/fed", map[string]any{
		"credential_type": "federation_token",
		"policy_document": listRolesOnly,
	}); err != nil {
		t.Fatal(err)
	}
	c := tv.creds(t, "aws/sts/fed", nil)
	if !strings.HasPrefix(c.leaseID, "aws/sts/fed/") || c.renewable || c.duration < 3590 || c.duration > 3600 || c.st == "" {
		t.Errorf("secret = %+v, want a non-renewable ~3600s lease (the engine's default ttl)", c)
	}
	if arn := sb.callerARN(t, c); !strings.HasPrefix(arn, fmt.Sprintf("arn:aws:sts::%s:federated-user/", sb.account)) {
		t.Errorf("caller = %s, want a federated user", arn)
	}
	// (No IAM call here: AWS refuses IAM API calls with federation tokens, and so does the sandbox.)
}

// iamUserRole writes an iam_user role and a 1h lease config (24h max).
func iamUserRole(t *testing.T, tv *testVault, name string) {
	t.Helper()
	if _, err := tv.client.Logical().Write("aws/config/lease", map[string]any{"lease": "1h", "lease_max": "24h"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tv.client.Logical().Write("aws/roles/"+name, map[string]any{
		"credential_type": "iam_user",
		"policy_document": listRolesOnly,
	}); err != nil {
		t.Fatal(err)
	}
}

// userOf returns the IAM user name behind issued keys.
func (sb *sandbox) userOf(t *testing.T, c issued) string {
	t.Helper()
	arn := sb.callerARN(t, c)
	_, name, ok := strings.Cut(arn, ":user/")
	if !ok {
		t.Fatalf("caller %s is not an IAM user", arn)
	}
	return name
}

func (sb *sandbox) userExists(t *testing.T, name string) bool {
	t.Helper()
	_, err := sb.adminIAM().GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String(name)})
	var missing *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		return true
	case errors.As(err, &missing):
		return false
	}
	t.Fatalf("GetUser %s: %v", name, err)
	return false
}

func TestIAMUserLifecycle(t *testing.T) {
	tv, sb := vaultOnSandbox(t)
	iamUserRole(t, tv, "dev")
	ctx := context.Background()

	c := tv.creds(t, "aws/creds/dev", nil)
	if !strings.HasPrefix(c.leaseID, "aws/creds/dev/") || !c.renewable || c.duration != 3600 {
		t.Errorf("secret = %+v, want a renewable 3600s lease under aws/creds/dev/", c)
	}
	user := sb.userOf(t, c)
	if !strings.HasPrefix(user, "vault-root-dev-") || !sb.userExists(t, user) {
		t.Fatalf("user %q: want an existing vault-root-dev-* user", user)
	}
	if _, err := sb.iam(c.accessKey, c.secretKey, "").ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles with the user's keys: %v", err)
	}

	// Lookup, on the wire.
	status, body := tv.raw(t, "PUT", "/v1/sys/leases/lookup", testToken, `{"lease_id":"`+c.leaseID+`"}`)
	var lookup struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &lookup); status != 200 || err != nil {
		t.Fatalf("lookup: %d %s %v", status, body, err)
	}
	keys := make([]string, 0, len(lookup.Data))
	for k := range lookup.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"expire_time", "id", "issue_time", "last_renewal", "renewable", "ttl"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("lookup keys = %v, want %v", keys, want)
	}
	if lookup.Data["id"] != c.leaseID || lookup.Data["renewable"] != true || lookup.Data["ttl"] != 3600.0 || lookup.Data["last_renewal"] != nil {
		t.Errorf("lookup data = %v", lookup.Data)
	}
	if _, err := time.Parse(time.RFC3339Nano, lookup.Data["expire_time"].(string)); err != nil {
		t.Errorf("expire_time: %v", err)
	}

	// Renew: the increment wins over the engine's 1h lease, within lease_max.
	tv.clock.Advance(30 * time.Minute)
	r, err := tv.client.Sys().Renew(c.leaseID, 7200)
	if err != nil {
		t.Fatal(err)
	}
	if r.LeaseID != c.leaseID || r.LeaseDuration != 7200 || !r.Renewable {
		t.Errorf("renew = %+v", r)
	}

	// Revoke deletes the user, and its keys stop working.
	if err := tv.client.Sys().Revoke(c.leaseID); err != nil {
		t.Fatal(err)
	}
	if sb.userExists(t, user) {
		t.Errorf("user %s still exists after its lease was revoked", user)
	}
	if _, err := sb.iam(c.accessKey, c.secretKey, "").ListRoles(ctx, &iam.ListRolesInput{}); err == nil {
		t.Error("the revoked user's keys still work")
	}
	if _, err := tv.client.Sys().Lookup(c.leaseID); err == nil || !strings.Contains(err.Error(), "invalid lease") {
		t.Errorf("lookup after revoke: %v", err)
	}
}

func TestIAMUserLeaseExpiryRevokes(t *testing.T) {
	tv, sb := vaultOnSandbox(t)
	iamUserRole(t, tv, "dev")
	c := tv.creds(t, "aws/creds/dev", nil)
	user := sb.userOf(t, c)

	tv.clock.Advance(time.Hour - time.Second)
	select {
	case e := <-tv.expired:
		t.Fatalf("revoked before the lease's end: %v", e)
	default:
	}
	if !sb.userExists(t, user) {
		t.Fatal("user gone before the lease's end")
	}
	tv.clock.Advance(time.Second)
	if err := tv.waitExpiry(t, c.leaseID); err != nil {
		t.Fatalf("revocation at expiry: %v", err)
	}
	if sb.userExists(t, user) {
		t.Errorf("user %s still exists after its lease expired", user)
	}
	if _, err := tv.client.Sys().Lookup(c.leaseID); err == nil {
		t.Error("expired lease still looked up")
	}
}

func TestRevokePrefixDeletesUsers(t *testing.T) {
	tv, sb := vaultOnSandbox(t)
	iamUserRole(t, tv, "dev")
	iamUserRole(t, tv, "ops")
	var users []string
	for range 2 {
		users = append(users, sb.userOf(t, tv.creds(t, "aws/creds/dev", nil)))
	}
	other := sb.userOf(t, tv.creds(t, "aws/creds/ops", nil))

	if err := tv.client.Sys().RevokePrefix("aws/creds/dev"); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if sb.userExists(t, u) {
			t.Errorf("user %s survived revoke-prefix aws/creds/dev", u)
		}
	}
	if !sb.userExists(t, other) {
		t.Errorf("user %s of aws/creds/ops was deleted by revoke-prefix aws/creds/dev", other)
	}
}
