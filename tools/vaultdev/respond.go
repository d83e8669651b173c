package main

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/hashicorp/go-multierror"
	"github.com/hashicorp/vault/sdk/logical"
)

// Mount types Vault reports in responses ("mount_type").
const (
	sysMountType   = "system"
	tokenMountType = "token"
)

// errUnsupportedPath and errUnsupportedOperation are what Vault's framework backends answer
// for a path or operation they do not have (404 and 405 once through the HTTP layer).
var (
	errUnsupportedPath      = logical.ErrUnsupportedPath
	errUnsupportedOperation = logical.ErrUnsupportedOperation
)

// respondError writes {"errors": [...]} (an empty list when err is nil), Vault's error shape.
func respondError(w http.ResponseWriter, status int, err error) {
	logical.RespondError(w, status, err)
}

// respond writes the outcome of a logical request as Vault's HTTP layer does. A non-nil err is
// wrapped the way Vault's core wraps errors from backends ("1 error occurred: ..."), and the
// status code comes from the SDK's own mapping (RespondErrorCommon). A nil response is 204,
// injectTop puts the data at the top level too (Vault does this for some sys/ endpoints).
func respond(w http.ResponseWriter, req *logical.Request, resp *logical.Response, err error, mount string, injectTop bool) {
	if err != nil {
		var merr *multierror.Error
		if !errors.As(err, &merr) {
			err = multierror.Append(nil, err)
		}
	}
	status, err := logical.RespondErrorCommon(req, resp, err)
	if err != nil || status != 0 {
		if resp != nil {
			if data := resp.Data["data"]; data != nil {
				logical.RespondErrorAndData(w, status, data, err)
				return
			}
		}
		respondError(w, status, err)
		return
	}
	if resp == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if code, ok := resp.Data[logical.HTTPStatusCode].(int); ok && resp.Secret == nil {
		// Only 202 Accepted (lazy revocations) comes through here: a status with no body.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		return
	}
	httpResp := logical.LogicalResponseToHTTPResponse(resp)
	httpResp.RequestID = req.ID
	httpResp.MountType = mount
	var body any = httpResp
	if injectTop {
		body = logical.HTTPSysInjector{Response: httpResp}
	}
	respondJSON(w, http.StatusOK, body)
}

func respondJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// accepted is the response Vault gives a lazy revocation: 202 with no body.
func accepted(req *logical.Request) (*logical.Response, error) {
	return logical.RespondWithStatusCode(nil, req, http.StatusAccepted)
}
