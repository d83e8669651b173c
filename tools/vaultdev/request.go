package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hashicorp/vault/sdk/logical"
)

// maxRequestSize is Vault's default max_request_size (32 MiB).
const maxRequestSize = 32 << 20

// errUnsupportedMethod answers an HTTP method Vault's API has no operation for.
var errUnsupportedMethod = errors.New("unsupported HTTP method")

// parseRequest maps an HTTP request on /v1/<path> to a logical operation, path and data the
// way Vault's HTTP layer does: GET reads (GET ?list=true and LIST list, with a trailing slash
// added to the path), POST/PUT update with a JSON body, DELETE deletes; GET and DELETE take
// their data from the query string. It returns the HTTP status to answer with on error.
func parseRequest(w http.ResponseWriter, r *http.Request, path string) (logical.Operation, string, map[string]any, int, error) {
	query := r.URL.Query()
	switch r.Method {
	case http.MethodGet:
		op := logical.Operation(logical.ReadOperation)
		if s := query.Get("list"); s != "" {
			list, err := strconv.ParseBool(s)
			if err != nil {
				return "", "", nil, http.StatusBadRequest, fmt.Errorf("query parameter list=%q: not a boolean", s)
			}
			query.Del("list")
			if list {
				op = logical.ListOperation
			}
		}
		if op == logical.ListOperation && !strings.HasSuffix(path, "/") {
			path += "/"
		}
		return op, path, queryData(query), 0, nil
	case "LIST":
		if !strings.HasSuffix(path, "/") {
			path += "/"
		}
		return logical.ListOperation, path, queryData(query), 0, nil
	case http.MethodDelete:
		return logical.DeleteOperation, path, queryData(query), 0, nil
	case http.MethodPost, http.MethodPut:
		data, err := bodyData(w, r)
		if err != nil {
			status := http.StatusBadRequest
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				status = http.StatusRequestEntityTooLarge
			}
			return "", "", nil, status, err
		}
		return logical.UpdateOperation, path, data, 0, nil
	default:
		return "", "", nil, http.StatusMethodNotAllowed, fmt.Errorf("%w %s", errUnsupportedMethod, r.Method)
	}
}

// queryData is Vault's parseQuery: one value stays a string, several become a list, and the
// reserved "help" key is dropped.
func queryData(q url.Values) map[string]any {
	data := map[string]any{}
	for k, v := range q {
		switch {
		case k == "help", len(v) == 0:
		case len(v) == 1:
			data[k] = v[0]
		default:
			data[k] = v
		}
	}
	if len(data) == 0 {
		return nil
	}
	return data
}

// bodyData decodes a JSON object body (numbers kept as json.Number, as Vault does). An empty
// body is no data.
func bodyData(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestSize))
	if err != nil {
		return nil, fmt.Errorf("error reading data: %w", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var data map[string]any
	if err := dec.Decode(&data); err != nil {
		return nil, fmt.Errorf("error parsing JSON: the body must be a JSON object: %w", err)
	}
	if dec.More() {
		return nil, errors.New("error parsing JSON: trailing data after the JSON object")
	}
	return data, nil
}
