package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-uuid"
	"github.com/hashicorp/vault/builtin/logical/aws"
	"github.com/hashicorp/vault/sdk/logical"
)

// Versions this server stands for: the engine's module version, reported by sys/health and
// sys/mounts as a real Vault of that version would.
const (
	vaultVersion      = "1.21.4"
	awsPluginVersion  = "v" + vaultVersion + "+builtin.vault"
	mountPath         = "aws/"
	mountType         = "aws"
	engineDisplayName = "root" // the root token's display name, which the engine puts in IAM user names
)

// engine is Vault's AWS secrets engine mounted at aws/, over in-memory storage.
type engine struct {
	backend  logical.Backend
	storage  logical.Storage
	uuid     string
	accessor string
	sys      *systemView
}

// newEngine builds the engine with Vault's own Factory, as Vault does when it mounts aws/.
func newEngine(ctx context.Context, defaultTTL, maxTTL time.Duration, logger hclog.Logger) (*engine, error) {
	if defaultTTL <= 0 || maxTTL <= 0 || defaultTTL > maxTTL {
		return nil, fmt.Errorf("lease TTLs: default %s and max %s must be positive, default <= max", defaultTTL, maxTTL)
	}
	id, err := uuid.GenerateUUID()
	if err != nil {
		return nil, fmt.Errorf("mount uuid: %w", err)
	}
	acc, err := uuid.GenerateUUID()
	if err != nil {
		return nil, fmt.Errorf("mount accessor: %w", err)
	}
	e := &engine{
		storage:  &logical.InmemStorage{},
		uuid:     id,
		accessor: "aws_" + acc[:8],
		sys:      newSystemView(defaultTTL, maxTTL),
	}
	conf := &logical.BackendConfig{
		StorageView: e.storage,
		Logger:      logger,
		System:      e.sys,
		BackendUUID: id,
		Config:      map[string]string{},
	}
	b, err := aws.Factory(ctx, conf)
	if err != nil {
		return nil, fmt.Errorf("creating the AWS secrets engine: %w", err)
	}
	if err := b.Initialize(ctx, &logical.InitializationRequest{Storage: e.storage}); err != nil {
		return nil, fmt.Errorf("initializing the AWS secrets engine: %w", err)
	}
	e.backend = b
	return e, nil
}

// handle routes one request to the engine. path is relative to the mount ("creds/dev").
func (e *engine) handle(ctx context.Context, req *logical.Request) (*logical.Response, error) {
	req.Storage = e.storage
	req.MountPoint = mountPath
	req.MountType = mountType
	req.MountAccessor = e.accessor
	if req.DisplayName == "" {
		req.DisplayName = engineDisplayName
	}
	return e.backend.HandleRequest(ctx, req)
}

// rollback runs the engine's periodic work (WAL rollbacks of half-created IAM users, static
// role rotation), as Vault's rollback manager does once a minute for every mount.
func (e *engine) rollback(ctx context.Context) error {
	_, err := e.handle(ctx, logical.RollbackRequest(""))
	if err != nil {
		return fmt.Errorf("engine rollback: %w", err)
	}
	return nil
}

func (e *engine) close(ctx context.Context) {
	e.backend.Cleanup(ctx)
}
