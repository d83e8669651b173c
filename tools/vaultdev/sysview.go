package main

import (
	"context"
	"time"

	"github.com/hashicorp/vault/sdk/helper/automatedrotationutil"
	"github.com/hashicorp/vault/sdk/helper/pluginidentityutil"
	"github.com/hashicorp/vault/sdk/helper/pluginutil"
	"github.com/hashicorp/vault/sdk/logical"
	"github.com/hashicorp/vault/sdk/rotation"
)

// systemView is what the engine sees of "Vault": the mount's lease TTLs, and refusals for
// the two features a dev server has no core for (plugin workload identity tokens and the
// automated root rotation manager). Vault's own engine tests answer those hooks the same way.
type systemView struct {
	logical.StaticSystemView
}

func newSystemView(defaultTTL, maxTTL time.Duration) *systemView {
	return &systemView{StaticSystemView: logical.StaticSystemView{
		DefaultLeaseTTLVal: defaultTTL,
		MaxLeaseTTLVal:     maxTTL,
		VersionString:      vaultVersion,
	}}
}

func (*systemView) GenerateIdentityToken(context.Context, *pluginutil.IdentityTokenRequest) (*pluginutil.IdentityTokenResponse, error) {
	return nil, pluginidentityutil.ErrPluginWorkloadIdentityUnsupported
}

func (*systemView) RegisterRotationJob(context.Context, *rotation.RotationJobConfigureRequest) (string, error) {
	return "", automatedrotationutil.ErrRotationManagerUnsupported
}

func (*systemView) DeregisterRotationJob(context.Context, *rotation.RotationJobDeregisterRequest) error {
	return nil
}
